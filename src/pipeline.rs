//! One build, stage by stage: read → parse → resolve → layout → emit → compile → export.
//! A [`Builder`] keeps the Typst World alive between builds (watch mode).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use typst::World;
use typst_kit::datetime::Time;

use crate::compile;
use crate::diag::{Diagnostic, Failure, Sources, Span};
use crate::emit::{self, EmitOptions};
use crate::layout;
use crate::parse;
use crate::resolve::{ImageCache, Resolver, normalize};
use crate::themes::{self, Theme};
use crate::world::LecternWorld;

#[derive(Debug, Clone, Default)]
pub struct BuildRequest {
    pub deck: PathBuf,
    /// PDF to write; default: the deck's path with `.pdf`.
    pub output: Option<PathBuf>,
    /// `--theme`: overrides the front matter.
    pub theme: Option<String>,
    pub font_paths: Vec<PathBuf>,
    /// `--root`: the folder a build may read from.
    pub root: Option<PathBuf>,
    /// Also write the generated Typst source here.
    pub typst_output: Option<PathBuf>,
    /// Also render every page as SVG (live preview).
    pub svg_pages: bool,
    /// Also write `<name>-handout.pdf`.
    pub handout: Option<crate::handout::HandoutOptions>,
    /// Also write `<name>.pdfpc` (speaker notes for presenter consoles).
    pub pdfpc: bool,
    /// Also write every page as `<dir>/<name>-NN.png` / `.svg`.
    pub png_dir: Option<PathBuf>,
    pub svg_dir: Option<PathBuf>,
    /// `--strict`: every warning is an error (as is `strict: true` in the front matter).
    pub strict: bool,
}

#[derive(Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    pub slides: usize,
    pub pages: usize,
    pub bytes: usize,
    pub elapsed: Duration,
    pub timings: Timings,
    pub warnings: Vec<Diagnostic>,
    pub sources: Sources,
    /// Files on disk the build read (the deck, images, theme files), to watch.
    pub dependencies: Vec<PathBuf>,
    /// Slides whose generated Typst changed since the previous build of this Builder.
    pub changed_slides: Vec<usize>,
    /// One SVG per page when the request asked for them.
    pub svg: Vec<String>,
}

/// Where a build's time went.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    pub markdown: Duration,
    /// Font discovery (only when the World is created) and the missing-glyph check.
    pub fonts: Duration,
    pub typst: Duration,
    pub pdf: Duration,
}

#[derive(Debug)]
pub struct BuildError {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    /// Files read before the failure (so watch mode can wait for a fix).
    pub dependencies: Vec<PathBuf>,
}

impl BuildError {
    pub fn render(&self) -> String {
        crate::diag::render_plain(&self.sources, &self.diagnostics)
    }
}

/// Everything but the PDF: the compiled document and what produced it.
pub struct Compiled {
    pub document: typst_layout::PagedDocument,
    /// The deck as laid out (for handouts and presenter notes).
    pub deck: crate::model::Deck,
    /// Fonts of the theme, Japanese first, for documents made beside the slides.
    pub fonts: Vec<String>,
    pub typst_source: String,
    pub slides: usize,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
    /// 1-based numbers of the slides whose generated Typst differs from the last build.
    pub changed_slides: Vec<usize>,
}

#[derive(Default)]
pub struct Builder {
    world: Option<(PathBuf, Vec<PathBuf>, LecternWorld)>,
    images: ImageCache,
    /// Files the resolve stage read in the last build.
    touched: Vec<PathBuf>,
    /// Generated Typst of each slide in the last build, to tell which slides changed.
    last_slides: Vec<String>,
}

impl Builder {
    pub fn new() -> Self {
        Builder::default()
    }

    /// Builds the PDF and writes it atomically.
    pub fn build(&mut self, request: &BuildRequest) -> Result<BuildReport, BuildError> {
        let started = Instant::now();
        let mut sources = Sources::default();
        let output = request.output.clone().unwrap_or_else(|| request.deck.with_extension("pdf"));
        let fail = |sources: Sources, diagnostics: Vec<Diagnostic>, dependencies: Vec<PathBuf>| BuildError {
            sources,
            diagnostics,
            dependencies,
        };
        if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty())
            && !parent.is_dir()
        {
            return Err(fail(
                sources,
                vec![
                    Diagnostic::error(
                        None,
                        format!("cannot write {}: folder {} does not exist", output.display(), parent.display()),
                    )
                    .with_hint("create the folder first, or choose another path with -o"),
                ],
                vec![request.deck.clone()],
            ));
        }
        let compiled = match self.compile(request, &mut sources) {
            Ok(c) => c,
            Err(Failure(diagnostics)) => {
                let deps = self.dependencies(request);
                return Err(fail(sources, diagnostics, deps));
            }
        };
        let dependencies = self.dependencies(request);
        if (request.strict || compiled.deck.meta.strict) && !compiled.warnings.is_empty() {
            return Err(fail(sources, crate::diag::strict(compiled.warnings), dependencies));
        }
        let pdf_started = Instant::now();
        // The same deck gives the same identifier however its path was typed.
        let deck_file = deck_folder(&request.deck).join(request.deck.file_name().unwrap_or_default());
        let relative = build_root(request).ok().and_then(|r| deck_file.strip_prefix(r).ok().map(Path::to_path_buf));
        let ident = format!("lectern:{}", relative.unwrap_or(deck_file).display());
        let pdf = match compile::export_pdf(&compiled.document, &ident) {
            Ok(pdf) => pdf,
            Err(diagnostics) => return Err(fail(sources, diagnostics, dependencies)),
        };
        if let Some(path) = &request.typst_output
            && let Err(e) = write_atomically(path, compiled.typst_source.as_bytes())
        {
            return Err(fail(sources, write_error(path, e), dependencies));
        }
        if let Err(e) = write_atomically(&output, &pdf) {
            return Err(fail(sources, write_error(&output, e), dependencies));
        }
        let sibling = |suffix: &str| {
            let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            output.with_file_name(format!("{stem}{suffix}"))
        };
        if request.pdfpc {
            let name = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let path = sibling(".pdfpc");
            if let Err(e) = write_atomically(&path, crate::handout::pdfpc(&compiled.deck, &name).as_bytes()) {
                return Err(fail(sources, write_error(&path, e), dependencies));
            }
        }
        for (dir, ext) in [(&request.png_dir, "png"), (&request.svg_dir, "svg")] {
            let Some(dir) = dir else { continue };
            if !dir.is_dir() {
                let message = format!("cannot write pages: folder {} does not exist", dir.display());
                return Err(fail(sources, vec![Diagnostic::error(None, message)], dependencies));
            }
            let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            for (i, page) in compiled.document.pages().iter().enumerate() {
                let bytes = if ext == "png" {
                    // 2 px per pt: a 16:9 slide becomes 1587 × 893 px.
                    let options = typst_render::RenderOptions { pixel_per_pt: 2.0.into(), ..Default::default() };
                    typst_render::render(page, &options).encode_png().unwrap_or_default()
                } else {
                    typst_svg::svg(page, &typst_svg::SvgOptions::default()).into_bytes()
                };
                let path = dir.join(format!("{stem}-{:02}.{ext}", i + 1));
                if let Err(e) = write_atomically(&path, &bytes) {
                    return Err(fail(sources, write_error(&path, e), dependencies));
                }
            }
        }
        if let Some(options) = request.handout {
            let path = sibling("-handout.pdf");
            let written = self
                .handout(&compiled, options, pdf.clone(), &ident, &mut sources)
                .and_then(|bytes| write_atomically(&path, &bytes).map_err(|e| write_error(&path, e)));
            if let Err(diagnostics) = written {
                return Err(fail(sources, diagnostics, dependencies));
            }
        }
        let mut timings = compiled.timings;
        timings.pdf = pdf_started.elapsed();
        Ok(BuildReport {
            output,
            slides: compiled.slides,
            pages: compiled.document.pages().len(),
            bytes: pdf.len(),
            elapsed: started.elapsed(),
            timings,
            warnings: compiled.warnings,
            sources,
            dependencies,
            changed_slides: compiled.changed_slides,
            svg: if request.svg_pages {
                compiled.document.pages().iter().map(|p| typst_svg::svg(p, &typst_svg::SvgOptions::default())).collect()
            } else {
                vec![]
            },
        })
    }

    /// Compiles the handout in the same World, with the deck's PDF as its images.
    fn handout(
        &mut self,
        compiled: &Compiled,
        options: crate::handout::HandoutOptions,
        pdf: Vec<u8>,
        ident: &str,
        sources: &mut Sources,
    ) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let text = crate::handout::handout_typst(&compiled.deck, options, &compiled.fonts);
        let theme = themes::resolve("seminar", Path::new("."), sources).map_err(|d| vec![d])?;
        let Some((_, _, world)) = &mut self.world else { return Err(vec![]) };
        let overlays = [(crate::handout::DECK_PDF_VPATH.to_string(), pdf)].into_iter().collect();
        world.prepare("/__lectern__/handout.typ", text, overlays, theme);
        let (document, _) = compile::compile(world, &emit::SourceMap::default(), sources);
        compile::export_pdf(&document?, &format!("{ident}:handout"))
    }

    fn dependencies(&mut self, request: &BuildRequest) -> Vec<PathBuf> {
        let mut deps = vec![request.deck.clone()];
        deps.extend(self.touched.iter().cloned());
        if let Some((_, _, world)) = &mut self.world {
            deps.extend(world.dependencies());
        }
        deps.sort();
        deps.dedup();
        deps
    }

    /// Parse to typeset document; no file is written.
    pub fn compile(&mut self, request: &BuildRequest, sources: &mut Sources) -> Result<Compiled, Failure> {
        let started = Instant::now();
        let deck_path = &request.deck;
        let bytes = std::fs::read(deck_path)
            .map_err(|e| Diagnostic::error(None, format!("cannot read deck {}: {e}", deck_path.display())))?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
                let line = prefix.matches('\n').count() + 1;
                let file = sources.add(deck_path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned());
                return Err(Diagnostic::error(
                    sources.line_span(file, line),
                    format!("the deck is not UTF-8 text (invalid byte 0x{:02X} at byte {valid})", bytes[valid]),
                )
                .with_hint("save the file as UTF-8 (most editors: \"Save with encoding\")")
                .into());
            }
        };
        let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
        let file = sources.add(deck_path.display().to_string(), text.clone());

        let is_playlist = deck_path.extension().is_some_and(|e| e == "yml" || e == "yaml");
        let (mut deck, includes, mut warnings) = if is_playlist {
            crate::include::playlist(deck_path, &text, file, sources)?
        } else {
            let parsed = parse::parse(deck_path, &text, file, sources)?;
            (parsed.deck, parsed.includes, parsed.warnings)
        };

        let root = build_root(request)?;
        let deck_dir = deck_folder(deck_path);
        if !deck_dir.starts_with(&root) {
            return Err(
                Diagnostic::error(None, format!("the deck lies outside the build root {}", root.display())).into()
            );
        }
        let deck_file = deck_dir.join(deck_path.file_name().unwrap_or_default());
        let mut included = Vec::new();
        let expanded = crate::include::expand(
            &mut deck,
            includes,
            &deck_file,
            &root,
            sources,
            &mut vec![deck_file.clone()],
            &mut included,
        );
        self.touched = included;
        expanded?;
        if deck.slides.is_empty() && deck.meta.title.is_none() {
            return Err(Diagnostic::error(None, format!("{} has no slides", deck_path.display())).into());
        }
        if deck.meta.lang.is_none() {
            deck.meta.lang = Some(emit::detect_lang(&deck).to_string());
        }

        // Theme: --theme beats the front matter; a front-matter path is relative to the deck.
        let theme_span = deck.meta.span.map(|s| theme_line(sources, file, s));
        let theme = match (&request.theme, &deck.meta.theme) {
            (Some(spec), _) => themes::resolve(spec, &std::env::current_dir().unwrap_or_default(), sources)?,
            (None, Some(spec)) => themes::resolve_named_by_deck(spec, &deck_dir, theme_span, sources, &mut warnings)
                .map_err(|d| Diagnostic { span: d.span.or(theme_span), ..d })?,
            (None, None) => themes::resolve("seminar", &deck_dir, sources)?,
        };

        let (overlays, touched) =
            Resolver::new(&root, &deck_dir, &mut self.images, sources).resolve_deck(&mut deck, &mut warnings);
        self.touched.extend(touched);
        let mut overlays = overlays?;
        // The logo: front matter (relative to the deck) beats theme.yaml (relative to its folder).
        let logo = match (&deck.meta.theme_overrides.logo, &theme.logo) {
            (Some(path), _) => Some(deck_dir.join(path)),
            (None, Some((_, path))) => Some(path.clone()),
            (None, None) => None,
        };
        let logo_vpath = match logo {
            Some(path) => match std::fs::read(&path) {
                Ok(bytes) => {
                    self.touched.push(path.clone());
                    let vpath =
                        format!("/__lectern__/logo.{}", path.extension().and_then(|e| e.to_str()).unwrap_or("png"));
                    overlays.insert(vpath.clone(), bytes);
                    Some(vpath)
                }
                Err(e) => {
                    return Err(Diagnostic::error(
                        theme_span.filter(|_| deck.meta.theme_overrides.logo.is_some()),
                        format!("logo {}: {e}", path.display()),
                    )
                    .into());
                }
            },
            None => None,
        };
        layout::layout(&mut deck);

        let relative = deck_dir.strip_prefix(&root).unwrap_or(Path::new(""));
        let stem = deck_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "deck".into());
        let main_vpath =
            format!("/{}/{stem}.lectern.typ", relative.to_string_lossy().replace('\\', "/")).replace("//", "/");
        let emitted = emit::emit(
            &deck,
            &EmitOptions {
                theme: &theme,
                deck_name: sources.name(file),
                accent: deck.meta.theme_overrides.accent.as_deref(),
                logo: logo_vpath.as_deref(),
            },
        );
        let markdown_time = started.elapsed();

        let fonts_started = Instant::now();
        let world = self.world_for(&root, request, &theme);
        let glyph_errors = compile::check_glyphs(world.book(), &emitted.visible_text, sources);
        let fonts_time = fonts_started.elapsed();
        if !glyph_errors.is_empty() {
            return Err(Failure(glyph_errors));
        }
        let fonts = theme
            .settings
            .fonts
            .as_ref()
            .map(|f| f.ja.iter().chain(f.latin.iter()).flatten().cloned().collect())
            .unwrap_or_default();
        world.prepare(&main_vpath, emitted.text.clone(), overlays, theme);
        let typst_started = Instant::now();
        let (document, typst_warnings) = compile::compile(world, &emitted.map, sources);
        // Drop cache entries unused for 10 compiles, as typst-cli does between rebuilds.
        typst::comemo::evict(10);
        warnings.extend(typst_warnings);
        let document = document.map_err(|mut errors| {
            errors.extend(warnings.iter().cloned());
            Failure(errors)
        })?;
        let slide_texts: Vec<String> = emitted.text.split(emit::SLIDE_MARKER).skip(1).map(str::to_string).collect();
        let changed_slides =
            (0..slide_texts.len()).filter(|&i| self.last_slides.get(i) != slide_texts.get(i)).map(|i| i + 1).collect();
        self.last_slides = slide_texts;
        Ok(Compiled {
            deck,
            fonts,
            changed_slides,
            document,
            typst_source: emitted.text,
            slides: emitted.slide_count,
            warnings,
            timings: Timings {
                markdown: markdown_time,
                fonts: fonts_time,
                typst: typst_started.elapsed(),
                pdf: Duration::ZERO,
            },
        })
    }

    /// The long-lived World, rebuilt only when the root or font folders change.
    fn world_for(&mut self, root: &Path, request: &BuildRequest, theme: &Theme) -> &mut LecternWorld {
        let mut font_dirs = request.font_paths.clone();
        font_dirs.extend(theme.font_dirs());
        let reusable = matches!(&self.world, Some((r, f, _)) if r == root && *f == font_dirs);
        if !reusable {
            let now = match compile::source_date_epoch() {
                Some(epoch) => Time::fixed_timestamp(epoch).unwrap_or_else(|_| Time::system()),
                None => Time::system(),
            };
            let world = LecternWorld::new(root, &font_dirs, now);
            self.world = Some((root.to_path_buf(), font_dirs, world));
        }
        &mut self.world.as_mut().unwrap().2
    }
}

fn theme_line(sources: &Sources, file: crate::diag::FileIdx, fm: Span) -> Span {
    let text = &sources.text(file)[fm.range()];
    match text.lines().position(|l| l.starts_with("theme:")) {
        Some(i) => {
            let (first, _) = sources.line_col(file, fm.start);
            sources.line_span(file, first + i)
        }
        None => fm,
    }
}

/// The deck's folder as an absolute, normalized path (`talk.md` → the current folder).
fn deck_folder(deck: &Path) -> PathBuf {
    let parent = deck.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    normalize(&absolute(parent))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `--root`, else the current folder when the deck lies inside it, else the deck's folder.
fn build_root(request: &BuildRequest) -> Result<PathBuf, Diagnostic> {
    let deck_dir = deck_folder(&request.deck);
    if let Some(root) = &request.root {
        let root = normalize(&absolute(root));
        if !root.is_dir() {
            return Err(Diagnostic::error(None, format!("--root {} is not a folder", root.display())));
        }
        return Ok(root);
    }
    let cwd = normalize(&absolute(Path::new(".")));
    Ok(if deck_dir.starts_with(&cwd) { cwd } else { deck_dir })
}

fn write_error(path: &Path, e: std::io::Error) -> Vec<Diagnostic> {
    vec![Diagnostic::error(None, format!("cannot write {}: {e}", path.display()))]
}

/// Writes `path` whole or not at all: a temp file in the same folder, then a rename.
pub fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".lectern-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(data)?;
    // Temp files are private (0600); the output should read like any file the user writes.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0o644);
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
