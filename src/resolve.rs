//! Resolves what a deck refers to on disk: images (checked, converted or downscaled when
//! Typst cannot use them as they are). Every path stays inside the build root.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use crate::chart;
use crate::diag::{Diagnostic, Failure, Sources, Span, did_you_mean};
use crate::ids::slugify;
use crate::lang::Lang;
use crate::model::*;
use crate::paths::{inside_root, normalize, percent_decode};

/// Longest side, in pixels, above which a raster image is downscaled at build time.
const MAX_IMAGE_SIDE: u32 = 3000;

/// Files the build serves from memory instead of the disk (converted images), by
/// absolute virtual path.
pub type Overlays = HashMap<String, Vec<u8>>;

/// Images checked by earlier builds (watch mode), by file, size and modification time:
/// decoding a large photo on every keystroke would dominate a rebuild.
#[derive(Default)]
pub struct ImageCache {
    entries: HashMap<PathBuf, (u64, Option<std::time::SystemTime>, CheckedImage)>,
    /// Remote images by address: checked, or why not and since when (a failed download
    /// is tried again only after [`REMOTE_RETRY`], so watch mode does not wait on every
    /// save).
    remote: HashMap<String, Result<CheckedImage, RemoteFailure>>,
}

/// Why a remote image is a placeholder, since when, and whether it was downloaded.
#[derive(Clone)]
struct RemoteFailure {
    reason: String,
    since: std::time::Instant,
    downloaded: bool,
}

/// How long a watch session waits before downloading a failed address again.
const REMOTE_RETRY: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Clone)]
struct CheckedImage {
    vpath: String,
    /// A converted copy to serve instead of the file, by virtual path.
    overlay: Option<(String, Vec<u8>)>,
}

pub struct Resolver<'a> {
    /// Absolute build root on disk.
    pub root: &'a Path,
    /// Absolute folder of the deck on disk.
    pub deck_dir: &'a Path,
    pub overlays: Overlays,
    pub errors: Vec<Diagnostic>,
    /// Images shown as placeholders (missing, remote while offline).
    pub warnings: Vec<Diagnostic>,
    /// Images already checked, by virtual path (a deck often repeats its logo).
    checked: HashMap<String, Result<String, String>>,
    cache: &'a mut ImageCache,
    sources: &'a Sources,
    /// Japanese number formatting (万/億) for charts.
    lang_ja: bool,
    /// Every file this stage tried to read, found or not (for watch mode).
    pub touched: Vec<PathBuf>,
    /// Whether remote images may be downloaded.
    network: crate::remote::Network,
    /// The file of formatted citations kept between builds (`None`: off).
    citation_cache: Option<PathBuf>,
}

impl<'a> Resolver<'a> {
    pub fn new(root: &'a Path, deck_dir: &'a Path, cache: &'a mut ImageCache, sources: &'a Sources) -> Self {
        Resolver {
            root,
            deck_dir,
            overlays: HashMap::new(),
            errors: vec![],
            warnings: vec![],
            checked: HashMap::new(),
            cache,
            sources,
            lang_ja: false,
            touched: vec![],
            network: crate::remote::Network::Online,
            citation_cache: None,
        }
    }

    /// `--offline`: remote images come from the cache only.
    pub fn with_network(self, network: crate::remote::Network) -> Self {
        Resolver { network, ..self }
    }

    /// Keep formatted citations in this file between builds (see `crate::citecache`).
    pub fn with_citation_cache(self, citation_cache: Option<PathBuf>) -> Self {
        Resolver { citation_cache, ..self }
    }

    /// Resolves every image of the deck; returns the overlays and the files touched.
    pub fn resolve_deck(
        mut self,
        deck: &mut Deck,
        warnings: &mut Vec<Diagnostic>,
    ) -> (Result<Overlays, Failure>, Vec<PathBuf>) {
        self.lang_ja = deck.meta.lang.as_ref().is_some_and(Lang::is_ja);
        self.fetch_remote(remote_sources(deck));
        if let Some(image) = deck.meta.title_background.as_mut().and_then(|b| b.image.as_mut()) {
            self.image(image);
        }
        for slide in &mut deck.slides {
            if let Some(image) = &mut slide.background {
                self.image(image);
            }
            if let Some((_, image)) = &mut slide.side_image {
                self.image(image);
            }
            slide.visit_blocks_mut(&mut |block| match block {
                Block::Image { image, .. } => self.image(image),
                Block::Chart(chart) => self.chart(chart),
                _ => {}
            });
            slide.visit_inlines_mut(&mut |inline| {
                if let Inline::Image(image) = inline {
                    self.image(image);
                }
            });
        }
        for footnote in &mut deck.footnotes {
            visit_inline_list_mut(&mut footnote.body, &mut |inline| {
                if let Inline::Image(image) = inline {
                    self.image(image);
                }
            });
        }
        deck.bibliography_urls = self.bibliography(deck).unwrap_or_default();
        warnings.append(&mut self.warnings);
        let result = if self.errors.is_empty() { Ok(self.overlays) } else { Err(Failure(self.errors)) };
        (result, self.touched)
    }

    /// Finds the `bibliography:` file, checks every cited key against it and formats each
    /// citation in the deck's citation style; returns the entries' URLs.
    fn bibliography(&mut self, deck: &mut Deck) -> Option<HashMap<String, String>> {
        let citations: Vec<(&Citation, Span)> = deck
            .footnotes
            .iter()
            .filter_map(|f| f.citation.as_ref().map(|c| (c, f.span)))
            .flat_map(|(cites, span)| cites.iter().map(move |c| (c, span)))
            .collect();
        let Some((name, line)) = &deck.meta.bibliography else {
            if let Some((_, span)) = citations.first() {
                self.errors.push(
                    Diagnostic::error(*span, "a `[@key]` citation needs a bibliography")
                        .with_hint("add `bibliography: sources.yml` (Hayagriva YAML or BibTeX) to the front matter"),
                );
            }
            return None;
        };
        let on_disk = normalize(&self.deck_dir.join(name));
        if !inside_root(&on_disk, self.root) {
            self.errors.push(Diagnostic::error(*line, format!("bibliography `{name}` lies outside the build root")));
            return None;
        }
        self.touched.push(on_disk.clone());
        // Read here, not by Typst: every field becomes text (see `bibliography`).
        let loaded = match crate::bibliography::load(&on_disk, name) {
            Ok(loaded) => loaded,
            Err(message) => {
                // A limit's message carries its hint on a line of its own.
                let (message, hint) = message.split_once("\nhint: ").unwrap_or((&message, ""));
                let d = Diagnostic::error(*line, message);
                self.errors.push(if hint.is_empty() { d } else { d.with_hint(hint) });
                return None;
            }
        };
        let mut known = true;
        for (citation, span) in &citations {
            if !loaded.keys.contains(&citation.key) {
                known = false;
                let mut d =
                    Diagnostic::error(*span, format!("`@{}` is not in the bibliography `{name}`", citation.key));
                if let Some(s) = did_you_mean(&citation.key, loaded.keys.iter().map(String::as_str)) {
                    d = d.with_hint(format!("did you mean `@{s}`?"));
                }
                self.errors.push(d);
            }
        }
        // Checked even when nothing is cited, as when Typst loaded it.
        let style = self.citation_style(&deck.meta);
        if let (Some(style), true) = (style, known) {
            let keys: Vec<String> = citations.iter().map(|(c, _)| c.key.clone()).collect();
            let locale = crate::citations::locale(&deck.lang());
            let keys = keys.iter().map(String::as_str);
            let cache = self.citation_cache.as_deref();
            let texts = crate::citations::format(&loaded.library, &style, &locale, keys, cache);
            for citation in deck.footnotes.iter_mut().filter_map(|f| f.citation.as_mut()).flatten() {
                citation.text = texts[citation.key.as_str()].clone();
            }
        }
        Some(loaded.urls)
    }

    /// The deck's `citation-style:` (or `csl:`): a style name, or a `.csl` file beside the
    /// deck; errors and Typst's deprecation warning at its line.
    fn citation_style(&mut self, meta: &Meta) -> Option<crate::citations::Style> {
        use crate::citations::{DEFAULT_STYLE, Style};
        let Some((spec, line)) = &meta.citation_style else {
            return Some(Style::named(DEFAULT_STYLE).expect("the default style is in the archive").0);
        };
        // As Typst reads a style argument: a name has no file extension (front matter
        // allows only names or `.csl` files).
        let style = if std::path::Path::new(spec).extension().is_none() {
            Style::named(spec).map(|(style, deprecation)| {
                if let Some(message) = deprecation {
                    self.warnings.push(Diagnostic::warning(*line, message));
                }
                style
            })
        } else {
            self.csl_file(spec).and_then(|xml| Style::from_csl(&xml, &format!("citation style `{spec}`")))
        };
        style.map_err(|message| self.errors.push(Diagnostic::error(*line, message))).ok()
    }

    /// The text of a `.csl` file named relative to the deck, inside the build root.
    fn csl_file(&mut self, name: &str) -> Result<String, String> {
        let on_disk = normalize(&self.deck_dir.join(name));
        if !inside_root(&on_disk, self.root) {
            return Err(format!("citation style `{name}` lies outside the build root"));
        }
        self.touched.push(on_disk.clone());
        crate::limits::read_text(&on_disk, &format!("citation style `{name}`"))
    }

    /// Reads a chart's data and checks it against the spec.
    fn chart(&mut self, block: &mut ChartBlock) {
        let (sources, span, first_line) = (self.sources, block.span, block.first_line);
        let yaml = block.yaml.clone();
        let inline_data = block.spec.data.is_none();
        let at = move |key: &str| -> Span {
            if yaml.is_empty() {
                return span;
            }
            // Inline data lives on the `rows:` line.
            let key = if key == "data" && inline_data { "rows" } else { key };
            let file = span.file;
            sources.line_span(file, first_line + crate::yaml::key_line(&yaml, key) - 1)
        };
        let table = match (&block.table, &block.spec.data) {
            (Some(table), _) => table.clone(),
            (None, Some(name)) => {
                let on_disk = normalize(&self.deck_dir.join(name));
                if !inside_root(&on_disk, self.root) {
                    self.errors.push(
                        Diagnostic::error(
                            at("data"),
                            format!("data file `{name}` lies outside the build root `{}`", self.root.display()),
                        )
                        .with_hint("move it under the root, or widen the root with --root"),
                    );
                    return;
                }
                self.touched.push(on_disk.clone());
                match chart::read_data_file(&on_disk, name) {
                    Ok(table) => table,
                    Err(message) => {
                        self.errors.push(Diagnostic::error(at("data"), message));
                        return;
                    }
                }
            }
            (None, None) => chart::inline_table(&block.spec),
        };
        let deck_line = |line: usize| sources.line_span(span.file, line);
        match chart::build(&block.spec, &table, chart::NumberFormat::default_for(self.lang_ja), &at, &deck_line) {
            Ok(chart) => block.chart = Some(chart),
            Err(errors) => self.errors.extend(errors),
        }
    }

    fn image(&mut self, image: &mut Image) {
        let src = crate::images::probe_extension(&image.src, self.deck_dir);
        if crate::images::is_remote(&src) {
            match self.cache.remote.get(&src) {
                Some(Ok(checked)) => {
                    if let Some((path, bytes)) = &checked.overlay {
                        self.overlays.insert(path.clone(), bytes.clone());
                    }
                    image.path = checked.vpath.clone();
                }
                failed => {
                    // The slide shows a placeholder with the address and alt text.
                    image.path = String::new();
                    let (reason, downloaded) =
                        failed.and_then(|f| f.clone().err()).map(|f| (f.reason, f.downloaded)).unwrap_or_default();
                    self.warnings.push(crate::images::remote_warning(&src, image.span, &reason, downloaded));
                }
            }
            return;
        }
        match self.image_path(&src) {
            Ok(path) => image.path = path,
            Err(d) if d.message.ends_with(": not found") => {
                image.path = String::new();
                self.warnings.push(Diagnostic {
                    severity: crate::diag::Severity::Warning,
                    span: Some(image.span),
                    message: format!("{}; a placeholder is shown", d.message),
                    ..d
                });
            }
            Err(d) => self.errors.push(Diagnostic { span: Some(image.span), ..d }),
        }
    }

    /// The virtual path Typst should load for an image written as `src`.
    fn image_path(&mut self, src: &str) -> Result<String, Diagnostic> {
        if src.contains("://") || src.starts_with("data:") {
            return Err(Diagnostic::error(None, format!("image `{src}` is not a local file"))
                .with_hint("lectern never downloads: save the image under figures/ and link to that file"));
        }
        let on_disk = normalize(&self.deck_dir.join(percent_decode(src)));
        let Some(relative) = on_disk.strip_prefix(self.root).ok().filter(|_| inside_root(&on_disk, self.root)) else {
            return Err(Diagnostic::error(
                None,
                format!("image `{src}` lies outside the build root `{}`", self.root.display()),
            )
            .with_hint("move it under the root, or widen the root with --root"));
        };
        let vpath = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
        if let Some(done) = self.checked.get(&vpath) {
            return done.clone().map_err(|msg| Diagnostic::error(None, msg));
        }
        self.touched.push(on_disk.clone());
        let stamp = std::fs::metadata(&on_disk).ok().map(|m| (m.len(), m.modified().ok()));
        let cached = stamp.and_then(|(len, modified)| {
            self.cache.entries.get(&on_disk).filter(|(l, m, _)| *l == len && *m == modified).map(|e| e.2.clone())
        });
        let result = match cached {
            Some(image) => {
                if let Some((path, bytes)) = image.overlay {
                    self.overlays.insert(path, bytes);
                }
                Ok(image.vpath)
            }
            None => {
                let overlays_before = self.overlays.len();
                let result = self.load_image(src, &on_disk, &vpath);
                if let (Ok(path), Some((len, modified))) = (&result, stamp) {
                    let overlay = (self.overlays.len() > overlays_before)
                        .then(|| self.overlays.get(path).map(|b| (path.clone(), b.clone())))
                        .flatten();
                    self.cache
                        .entries
                        .insert(on_disk.clone(), (len, modified, CheckedImage { vpath: path.clone(), overlay }));
                }
                result
            }
        };
        self.checked.insert(vpath, result.clone().map_err(|d| d.message.clone()));
        result
    }

    /// Downloads (or takes from the cache) every remote image not already checked, and
    /// checks each as a local image is checked.
    fn fetch_remote(&mut self, srcs: Vec<String>) {
        let now = std::time::Instant::now();
        // Offline, no failure is remembered: the image may have reached the cache since.
        if self.network == crate::remote::Network::Offline {
            self.cache.remote.retain(|_, checked| checked.is_ok());
        }
        let wanted: Vec<String> = srcs
            .into_iter()
            .filter(|src| match self.cache.remote.get(src) {
                Some(Ok(_)) => false,
                Some(Err(failure)) => now.duration_since(failure.since) > REMOTE_RETRY,
                None => true,
            })
            .collect();
        for (src, fetched) in crate::remote::fetch_all(&wanted, self.network) {
            let failure = |reason: String, downloaded| RemoteFailure { reason, since: now, downloaded };
            let checked = match fetched {
                Ok(bytes) => self.check_remote(&src, bytes).map_err(|reason| failure(reason, true)),
                Err(reason) => Err(failure(reason, false)),
            };
            self.cache.remote.insert(src, checked);
        }
    }

    /// The checks of a local image, on downloaded bytes (their format judged from the
    /// bytes); the image is then served from memory.
    fn check_remote(&mut self, src: &str, bytes: Vec<u8>) -> Result<CheckedImage, String> {
        let ext = crate::remote::sniff(&bytes).ok_or("not an image lectern can draw")?;
        if ext == "svg" && crate::remote::svg_links_files(&bytes) {
            return Err("the SVG links other files; lectern draws only self-contained downloaded SVGs".into());
        }
        let vpath = crate::remote::vpath(src, ext);
        let overlays_before = self.overlays.len();
        let path = self
            .check_image(src, &bytes, ext, &vpath)
            .map_err(|d| std::iter::once(d.message).chain(d.hints).collect::<Vec<_>>().join("; "))?;
        let overlay = if self.overlays.len() > overlays_before {
            self.overlays.get(&path).map(|b| (path.clone(), b.clone()))
        } else {
            Some((path.clone(), bytes))
        };
        Ok(CheckedImage { vpath: path, overlay })
    }

    fn load_image(&mut self, src: &str, on_disk: &Path, vpath: &str) -> Result<String, Diagnostic> {
        let bytes = crate::limits::read_input(on_disk, &crate::limits::FILE_BYTES).map_err(|e| {
            let what = if e.kind() == std::io::ErrorKind::NotFound { "not found".to_string() } else { e.to_string() };
            Diagnostic::error(None, format!("image `{src}`: {what}"))
                .with_hint(format!("looked for {}", on_disk.display()))
        })?;
        let ext = on_disk.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        self.check_image(src, &bytes, &ext, vpath)
    }

    /// Checks an image's bytes (format, pixel limit, a full decode); the virtual path to
    /// draw: `vpath`, or a converted copy's (added to the overlays).
    fn check_image(&mut self, src: &str, bytes: &[u8], ext: &str, vpath: &str) -> Result<String, Diagnostic> {
        if ext == "pdf" {
            // Typst draws a PDF's first page as an image.
            return if bytes.starts_with(b"%PDF") {
                Ok(vpath.to_string())
            } else {
                Err(Diagnostic::error(None, format!("image `{src}` is not a valid PDF file")))
            };
        }
        let too_big = |size| {
            Diagnostic::error(None, crate::limits::image_pixels_message(src, size))
                .with_hint(crate::limits::IMAGE_PIXELS.hint())
        };
        if ext == "svg" || ext == "svgz" {
            if let Some(size) = crate::limits::oversized_embedded_image(bytes) {
                return Err(too_big(size));
            }
            return if looks_like_svg(bytes) || ext == "svgz" {
                Ok(vpath.to_string())
            } else {
                Err(Diagnostic::error(None, format!("image `{src}` is not a valid SVG file")))
            };
        }
        let corrupt = |e: image::ImageError| {
            Diagnostic::error(None, format!("image `{src}` cannot be read: {e}"))
                .with_hint("re-export it as PNG or JPEG")
        };
        // From the header alone: decoding a 60000² image would take gigabytes.
        if let Some(size) = crate::limits::oversized_image(bytes) {
            return Err(too_big(size));
        }
        let reader =
            image::ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|e| corrupt(e.into()))?;
        let Some(format) = reader.format() else {
            return Err(Diagnostic::error(None, format!("image `{src}` is not an image lectern can read"))
                .with_hint("use PNG, JPEG, GIF, WebP or SVG"));
        };
        // Decode fully: a truncated file must fail here, at the author's line, not in Typst.
        let decoded = reader.decode().map_err(corrupt)?;
        let native = matches!(
            format,
            image::ImageFormat::Png | image::ImageFormat::Jpeg | image::ImageFormat::Gif | image::ImageFormat::WebP
        );
        let oversized = decoded.width().max(decoded.height()) > MAX_IMAGE_SIDE;
        if native && !oversized {
            return Ok(vpath.to_string());
        }
        let decoded = if oversized {
            decoded.resize(MAX_IMAGE_SIDE, MAX_IMAGE_SIDE, image::imageops::FilterType::Lanczos3)
        } else {
            decoded
        };
        let mut out = Cursor::new(Vec::new());
        let (ext, result) = if decoded.color().has_alpha() || format != image::ImageFormat::Jpeg {
            ("png", decoded.write_to(&mut out, image::ImageFormat::Png))
        } else {
            ("jpg", decoded.to_rgb8().write_to(&mut out, image::ImageFormat::Jpeg))
        };
        result.map_err(corrupt)?;
        let converted = format!("{}{}.{ext}", crate::vpaths::IMAGES, slugify(&vpath.replace(['/', '.'], "-")));
        self.overlays.insert(converted.clone(), out.into_inner());
        Ok(converted)
    }
}

/// Every remote image of the deck, by its address as written.
fn remote_sources(deck: &mut Deck) -> Vec<String> {
    let mut srcs = Vec::new();
    let mut add = |image: &Image| {
        if crate::images::is_remote(&image.src) && !srcs.contains(&image.src) {
            srcs.push(image.src.clone());
        }
    };
    if let Some(image) = deck.meta.title_background.as_ref().and_then(|b| b.image.as_ref()) {
        add(image);
    }
    for slide in &mut deck.slides {
        slide.background.iter().chain(slide.side_image.iter().map(|(_, image)| image)).for_each(&mut add);
        slide.visit_blocks_mut(&mut |block| {
            if let Block::Image { image, .. } = block {
                add(image);
            }
        });
        slide.visit_inlines_mut(&mut |inline| {
            if let Inline::Image(image) = inline {
                add(image);
            }
        });
    }
    for footnote in &mut deck.footnotes {
        visit_inline_list_mut(&mut footnote.body, &mut |inline| {
            if let Inline::Image(image) = inline {
                add(image);
            }
        });
    }
    srcs
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]);
    head.contains("<svg")
}
