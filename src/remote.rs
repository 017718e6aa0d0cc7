//! Remote images (`https://…` in a deck): downloaded once, kept in the user's cache folder,
//! and served to Typst from memory.
//!
//! A build never waits long on the network: every download of a build runs in parallel
//! and all of them share one deadline ([`limits::NETWORK_SECONDS`]); an answer over
//! [`limits::DOWNLOAD_BYTES`] is refused. A downloaded image is kept in
//! `~/.cache/lectern/images/` (`$XDG_CACHE_HOME/lectern/images/`, or the folder
//! `LECTERN_IMAGE_CACHE` names), one file per address named by a hash of the address, and
//! is never fetched again: rebuilds, watch mode and `--offline` builds use the cached
//! copy. Only what is an image lectern draws (known from the bytes, never from the
//! server's `Content-Type`) is kept; anything else is a failed download.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::limits::{self, DOWNLOAD_BYTES, NETWORK_SECONDS};

/// Downloads running at once.
const PARALLEL: usize = 8;
/// Redirects followed for one address.
const REDIRECTS: u32 = 5;

/// What a build asks for: whether it may use the network.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Network {
    #[default]
    Online,
    /// `--offline` / `LECTERN_OFFLINE=1`: the cache only.
    Offline,
}

/// The folder downloaded images are kept in: `LECTERN_IMAGE_CACHE`, else `images/` in
/// lectern's cache folder (beside the font index).
pub fn cache_folder() -> Option<PathBuf> {
    match std::env::var_os("LECTERN_IMAGE_CACHE").filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => Some(crate::fontcache::cache_folder()?.join("images")),
    }
}

/// A stable 128-bit hash of an address, in hex.
fn hash(url: &str) -> String {
    format!("{:032x}", siphasher::sip128::SipHasher13::new().hash(url.as_bytes()).as_u128())
}

/// The cache file of an address.
fn cache_file(folder: &Path, url: &str) -> PathBuf {
    folder.join(hash(url))
}

/// Where Typst finds a downloaded image (served from memory); `ext` tells Typst its format.
pub fn vpath(src: &str, ext: &str) -> String {
    format!("{}{}.{ext}", crate::vpaths::REMOTE_IMAGES, hash(src))
}

/// The address to fetch: `//host/…` (protocol-relative, as browsers read it) is https;
/// anything but http and https is refused.
pub fn fetchable(src: &str) -> Result<String, String> {
    if let Some(rest) = src.strip_prefix("//") {
        return Ok(format!("https://{rest}"));
    }
    let scheme = src.split_once("://").map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default();
    match scheme.as_str() {
        "http" | "https" => Ok(src.to_string()),
        _ => Err("lectern downloads only http:// and https:// addresses".to_string()),
    }
}

/// The file extension Typst needs for an image, judged from its bytes alone: `None` when
/// they are not an image lectern draws.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        return Some("pdf");
    }
    if let Ok(format) = image::guess_format(bytes) {
        use image::ImageFormat::*;
        return match format {
            Png => Some("png"),
            Jpeg => Some("jpg"),
            Gif => Some("gif"),
            WebP => Some("webp"),
            Bmp => Some("bmp"),
            Tiff => Some("tiff"),
            _ => None,
        };
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    let xml = head.starts_with("<?xml") || head.starts_with("<!--") || head.starts_with("<!DOCTYPE svg");
    (head.starts_with("<svg") || (xml && head.contains("<svg"))).then_some("svg")
}

/// Whether an SVG refers to other files (`<image href="photo.png">`): served from lectern's
/// own folder, such a link would reach files of the build, so a downloaded SVG that has
/// one is refused. Embedded (`data:`) images are fine.
pub fn svg_links_files(bytes: &[u8]) -> bool {
    let linked = Arc::new(Mutex::new(false));
    let seen = linked.clone();
    let options = usvg::Options {
        image_href_resolver: usvg::ImageHrefResolver {
            resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
            resolve_string: Box::new(move |_, _| {
                *seen.lock().unwrap() = true;
                None
            }),
        },
        ..usvg::Options::default()
    };
    let _ = usvg::Tree::from_data(bytes, &options);
    *linked.lock().unwrap()
}

/// The bytes of each address (as written in the deck), or why there are none. Cached
/// copies first; the rest are downloaded (online) within one shared deadline, and each
/// image downloaded is added to the cache.
pub fn fetch_all(srcs: &[String], network: Network) -> HashMap<String, Result<Vec<u8>, String>> {
    let folder = cache_folder();
    let mut results = HashMap::new();
    let mut wanted = Vec::new();
    for src in srcs {
        if results.contains_key(src) {
            continue;
        }
        let url = match fetchable(src) {
            Ok(url) => url,
            Err(e) => {
                results.insert(src.clone(), Err(e));
                continue;
            }
        };
        if let Some(bytes) = folder.as_deref().and_then(|f| read_cached(&cache_file(f, &url))) {
            results.insert(src.clone(), Ok(bytes));
        } else if network == Network::Offline {
            let place = folder.as_deref().map(|f| format!(" ({})", f.display())).unwrap_or_default();
            results.insert(
                src.clone(),
                Err(format!("offline (--offline or LECTERN_OFFLINE), and not in the image cache{place}")),
            );
        } else {
            results.insert(src.clone(), Err(String::new()));
            wanted.push((src.clone(), url));
        }
    }
    if wanted.is_empty() {
        return results;
    }
    let budget = Duration::from_secs(NETWORK_SECONDS.get());
    let deadline = Instant::now() + budget;
    let queue = Arc::new(Mutex::new(wanted.clone()));
    let (send, receive) = mpsc::channel();
    for _ in 0..wanted.len().min(PARALLEL) {
        let (queue, send, folder) = (queue.clone(), send.clone(), folder.clone());
        // Detached: a download still running at the deadline ends by its own timeout.
        std::thread::spawn(move || {
            while let Some((src, url)) = queue.lock().unwrap().pop() {
                let result = download(&url, deadline);
                if let (Ok(bytes), Some(folder)) = (&result, &folder) {
                    store(&cache_file(folder, &url), bytes);
                }
                if send.send((src, result)).is_err() {
                    return;
                }
            }
        });
    }
    drop(send);
    for _ in 0..wanted.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        match receive.recv_timeout(left) {
            Ok((src, result)) => {
                results.insert(src, result);
            }
            Err(_) => break,
        }
    }
    let late = format!("no answer within the network budget of {} s ({})", budget.as_secs(), NETWORK_SECONDS.hint());
    for (src, _) in wanted {
        if let Some(result) = results.get_mut(&src)
            && matches!(result, Err(e) if e.is_empty())
        {
            *result = Err(late.clone());
        }
    }
    results
}

/// One download, ending by `deadline`: the bytes when the answer is an image within
/// [`DOWNLOAD_BYTES`].
fn download(url: &str, deadline: Instant) -> Result<Vec<u8>, String> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err("no time left in the network budget".to_string());
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(left))
        .timeout_connect(Some(left.min(Duration::from_secs(3))))
        .max_redirects(REDIRECTS)
        .user_agent(concat!("lectern/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    let limit = DOWNLOAD_BYTES.get();
    let length = response.headers().get("content-length").and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    let too_big = |found: String| format!("{}; {}", DOWNLOAD_BYTES.message(found), DOWNLOAD_BYTES.hint());
    if let Some(length) = length.filter(|&n| limits::DOWNLOAD_BYTES.exceeded(n)) {
        return Err(too_big(format!("the answer is {length} bytes")));
    }
    let bytes = response.body_mut().with_config().limit(limit).read_to_vec().map_err(|e| match e {
        ureq::Error::BodyExceedsLimit(_) => too_big(format!("the answer is more than {limit} bytes")),
        e => e.to_string(),
    })?;
    if sniff(&bytes).is_none() {
        let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("unknown type");
        return Err(format!("the answer is not an image lectern can draw ({kind}, {} bytes)", bytes.len()));
    }
    Ok(bytes)
}

fn read_cached(path: &Path) -> Option<Vec<u8>> {
    let bytes = limits::read_input(path, &DOWNLOAD_BYTES).ok()?;
    sniff(&bytes).is_some().then_some(bytes)
}

/// Writes a cache file atomically (a temporary file renamed into place), so a reader
/// never sees half an image; a failure leaves the cache as it was.
fn store(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new().prefix(".image-").suffix(".tmp").tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    let _ = write();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_and_https_are_fetched() {
        assert_eq!(fetchable("https://a.example/x.png").unwrap(), "https://a.example/x.png");
        assert_eq!(fetchable("//a.example/x.png").unwrap(), "https://a.example/x.png");
        assert!(fetchable("HTTP://a.example/x.png").is_ok());
        assert!(fetchable("ftp://a.example/x.png").is_err());
        assert!(fetchable("file:///etc/passwd").is_err());
    }

    #[test]
    fn the_format_comes_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0...."), Some("jpg"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("pdf"));
        assert_eq!(sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), Some("svg"));
        assert_eq!(sniff(b"  <svg width=\"1\"/>"), Some("svg"));
        assert_eq!(sniff(b"<!DOCTYPE html><html><body>Not found</body></html>"), None);
        assert_eq!(sniff(b"{\"error\": 404}"), None);
    }

    #[test]
    fn an_svg_that_links_a_file_is_told_apart() {
        let linked = br#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image href="../../secret.png" width="10" height="10"/></svg>"#;
        let plain =
            br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
        assert!(svg_links_files(linked));
        assert!(!svg_links_files(plain));
    }

    #[test]
    fn each_address_has_its_own_cache_file() {
        let folder = Path::new("/c");
        assert_eq!(cache_file(folder, "https://a/x.png"), cache_file(folder, "https://a/x.png"));
        assert_ne!(cache_file(folder, "https://a/x.png"), cache_file(folder, "https://a/y.png"));
    }
}
