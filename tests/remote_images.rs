//! Remote images (`![](https://…)`): downloaded from a server the test runs on 127.0.0.1,
//! kept in the image cache (a temporary folder here), refused when too big, too slow or
//! not an image, and never fetched with `--offline`.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A PNG of `w` × `h` pixels: one colour, or noise (which does not compress).
fn png(w: u32, h: u32, noise: bool) -> Vec<u8> {
    let image = image::RgbImage::from_fn(w, h, |x, y| {
        if noise {
            let v = (x.wrapping_mul(2654435761) ^ y.wrapping_mul(40503)).wrapping_mul(2246822519);
            image::Rgb([(v >> 8) as u8, (v >> 16) as u8, (v >> 24) as u8])
        } else {
            image::Rgb([220, 30, 30])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// What the test server answers for a path.
#[derive(Clone)]
enum Answer {
    Bytes(Vec<u8>, &'static str),
    /// The same, without a `Content-Length` (chunked).
    Chunked(Vec<u8>),
    /// Nothing for this long, then the bytes.
    Slow(Duration, Vec<u8>),
}

/// An HTTP server on 127.0.0.1 (a free port) answering `/name` from `answers`; stopped
/// (its port closed) when dropped.
struct Server {
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
    base: String,
}

impl Server {
    fn start(answers: Vec<(&'static str, Answer)>) -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let base = format!("http://{}", server.server_addr().to_ip().unwrap());
        let listening = server.clone();
        let thread = std::thread::spawn(move || {
            for request in listening.incoming_requests() {
                let answer = answers.iter().find(|(name, _)| request.url() == format!("/{name}")).map(|a| a.1.clone());
                // Each answer on its own thread: a slow one must not hold up the others.
                std::thread::spawn(move || {
                    let _ = match answer {
                        Some(Answer::Bytes(bytes, kind)) => request.respond(
                            tiny_http::Response::from_data(bytes)
                                .with_header(tiny_http::Header::from_bytes("Content-Type", kind).unwrap()),
                        ),
                        Some(Answer::Chunked(bytes)) => request.respond(tiny_http::Response::new(
                            200.into(),
                            vec![],
                            std::io::Cursor::new(bytes),
                            None,
                            None,
                        )),
                        Some(Answer::Slow(wait, bytes)) => {
                            std::thread::sleep(wait);
                            request.respond(tiny_http::Response::from_data(bytes))
                        }
                        None => request.respond(tiny_http::Response::empty(404)),
                    };
                });
            }
        });
        Server { server, thread: Some(thread), base }
    }

    fn url(&self, name: &str) -> String {
        format!("{}/{name}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Builds `deck.md` in `dir` with the image cache in `cache`.
fn build(dir: &Path, cache: &Path, extra: &[&str], env: &[(&str, &str)]) -> common::Run {
    let mut args = vec!["build", "deck.md"];
    args.extend_from_slice(extra);
    let mut env = env.to_vec();
    env.push(("LECTERN_IMAGE_CACHE", cache.to_str().unwrap()));
    common::lectern_env(dir, &args, &env)
}

/// The images in the PDF as `pdfimages -list` gives them: (width, height).
fn pdf_images(pdf: &Path) -> Vec<(u32, u32)> {
    let out = std::process::Command::new("pdfimages").arg("-list").arg(pdf).output().expect("pdfimages");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(2)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            Some((f.get(3)?.parse().ok()?, f.get(4)?.parse().ok()?))
        })
        .collect()
}

fn deck_with(url: &str) -> String {
    format!("# Remote\n\nA photo from the web:\n\n![a red box]({url})\n")
}

#[test]
fn a_remote_image_is_downloaded_cached_and_drawn_without_the_server() {
    let server = Server::start(vec![("red.png", Answer::Bytes(png(40, 30, false), "image/png"))]);
    let dir = common::tempdir();
    let cache = dir.path().join("cache");
    common::write(dir.path(), "deck.md", &deck_with(&server.url("red.png")));

    let run = build(dir.path(), &cache, &[], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let pdf = dir.path().join("deck.pdf");
    assert_eq!(pdf_images(&pdf), vec![(40, 30)], "the downloaded image is drawn on the slide");
    let cached: Vec<_> = std::fs::read_dir(&cache).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(cached.len(), 1, "one cache file, no temporary files left: {cached:?}");

    drop(server);
    std::fs::remove_file(&pdf).unwrap();
    // The server is gone: the cache serves the image, online and offline.
    for extra in [&[][..], &["--offline"][..]] {
        let run = build(dir.path(), &cache, extra, &[]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        assert!(!run.stderr.contains("warning"), "{extra:?}: {}", run.stderr);
        assert_eq!(pdf_images(&pdf), vec![(40, 30)], "{extra:?}: drawn from the cache");
    }
    // …and without the cache the image is really gone.
    let run = build(dir.path(), &dir.path().join("empty-cache"), &[], &[]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("could not be downloaded; a placeholder is shown"), "{}", run.stderr);
    assert!(pdf_images(&pdf).is_empty());
}

#[test]
fn offline_with_an_empty_cache_shows_the_placeholder_and_one_warning() {
    let server = Server::start(vec![("red.png", Answer::Bytes(png(40, 30, false), "image/png"))]);
    let dir = common::tempdir();
    let cache = dir.path().join("cache");
    let url = server.url("red.png");
    common::write(dir.path(), "deck.md", &format!("{}\n---\n\n# Again\n\n![the same]({url})\n", deck_with(&url)));
    for (extra, env) in [(&["--offline"][..], &[][..]), (&[][..], &[("LECTERN_OFFLINE", "1")][..])] {
        let run = build(dir.path(), &cache, extra, env);
        assert_eq!(run.status, 0, "{}", run.stderr);
        let warning = format!("warning: remote image `{url}` could not be downloaded; a placeholder is shown");
        assert_eq!(run.stderr.matches("warning:").count(), 1, "one grouped warning:\n{}", run.stderr);
        assert!(run.stderr.contains(&warning), "{}", run.stderr);
        assert!(run.stderr.contains("deck.md:5"), "names the Markdown line:\n{}", run.stderr);
        assert!(run.stderr.contains("offline"), "{}", run.stderr);
        assert!(run.stderr.contains("and 1 more warning like this"), "{}", run.stderr);
        assert!(pdf_images(&dir.path().join("deck.pdf")).is_empty());
        let text = common::pages(&dir.path().join("deck.pdf")).join("\n");
        assert!(text.contains("a red box"), "the placeholder shows the alt text:\n{text}");
        assert!(!cache.exists(), "offline, nothing was downloaded");
    }
    let run = build(dir.path(), &cache, &["--offline", "--strict"], &[]);
    assert_eq!(run.status, 1, "--strict makes the placeholder an error:\n{}", run.stderr);
    assert!(run.stderr.contains("error: remote image") && run.stderr.contains("deck.md:5"), "{}", run.stderr);
}

#[test]
fn a_slow_server_does_not_hold_the_build_beyond_the_network_budget() {
    let server = Server::start(vec![
        ("slow.png", Answer::Slow(Duration::from_secs(60), png(40, 30, false))),
        ("red.png", Answer::Bytes(png(20, 10, false), "image/png")),
    ]);
    let dir = common::tempdir();
    let cache = dir.path().join("cache");
    common::write(
        dir.path(),
        "deck.md",
        &format!("{}\n---\n\n# Fast\n\n![fast]({})\n", deck_with(&server.url("slow.png")), server.url("red.png")),
    );
    let started = Instant::now();
    let run = build(dir.path(), &cache, &[], &[("LECTERN_LIMIT_NETWORK_SECONDS", "2")]);
    let took = started.elapsed();
    assert_eq!(run.status, 0, "{}", run.stderr);
    // The server answers after a minute; the build gives up after its two seconds (with
    // room for a slow machine), and still draws the image that came in time.
    assert!(took < Duration::from_secs(30), "the build waited {took:?}");
    assert!(run.stderr.contains("slow.png` could not be downloaded"), "{}", run.stderr);
    assert!(run.stderr.contains("network budget of 2 s"), "{}", run.stderr);
    assert_eq!(pdf_images(&dir.path().join("deck.pdf")), vec![(20, 10)]);
}

#[test]
fn an_oversized_or_foreign_answer_is_refused() {
    let big = png(200, 200, true);
    assert!(big.len() > 50_000);
    let server = Server::start(vec![
        ("big.png", Answer::Bytes(big.clone(), "image/png")),
        ("chunked.png", Answer::Chunked(big)),
        ("page.png", Answer::Bytes(b"<!DOCTYPE html><html><body>login</body></html>".to_vec(), "image/png")),
    ]);
    let dir = common::tempdir();
    let cache = dir.path().join("cache");
    let deck: String = ["big.png", "chunked.png", "page.png"]
        .iter()
        .map(|name| format!("# {name}\n\n![{name}]({})\n\n---\n\n", server.url(name)))
        .collect();
    common::write(dir.path(), "deck.md", &deck);
    let run = build(dir.path(), &cache, &["-v"], &[("LECTERN_LIMIT_DOWNLOAD_BYTES", "50000")]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stderr.matches("could not be downloaded; a placeholder is shown").count(), 3, "{}", run.stderr);
    assert_eq!(run.stderr.matches("over lectern's limit `download-bytes` (50000").count(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("LECTERN_LIMIT_DOWNLOAD_BYTES="), "{}", run.stderr);
    assert!(run.stderr.contains("not an image lectern can draw (image/png"), "{}", run.stderr);
    assert!(pdf_images(&dir.path().join("deck.pdf")).is_empty());
    assert!(!cache.exists() || std::fs::read_dir(&cache).unwrap().next().is_none(), "nothing refused is cached");
}

#[test]
fn a_downloaded_image_gets_the_checks_of_a_local_one() {
    let linking = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="../../deck.md" width="10" height="10"/></svg>"#;
    let plain = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="red"/></svg>"#;
    let server = Server::start(vec![
        ("wide.png", Answer::Bytes(png(400, 300, false), "image/png")),
        ("linking.svg", Answer::Bytes(linking.to_vec(), "image/svg+xml")),
        // Served as text: the bytes say what it is.
        ("plain", Answer::Bytes(plain.to_vec(), "text/plain")),
    ]);
    let dir = common::tempdir();
    let cache = dir.path().join("cache");
    let deck: String = ["wide.png", "linking.svg", "plain"]
        .iter()
        .map(|name| format!("# {name}\n\n![{name}]({})\n\n---\n\n", server.url(name)))
        .collect();
    common::write(dir.path(), "deck.md", &deck);
    let run = build(dir.path(), &cache, &["-v"], &[("LECTERN_LIMIT_IMAGE_PIXELS", "100000")]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let refused = run.stderr.matches("was downloaded but cannot be drawn; a placeholder is shown").count();
    assert_eq!(refused, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("wide.png` is 400 × 300 pixels: over lectern's limit `image-pixels`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("the SVG links other files"), "{}", run.stderr);
    assert!(!run.stderr.contains("plain`"), "the SVG served as text/plain is drawn:\n{}", run.stderr);
    assert!(pdf_images(&dir.path().join("deck.pdf")).is_empty());
}
