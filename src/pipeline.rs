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
use crate::output::Output;
use crate::parse;
use crate::paths::normalize;
use crate::resolve::{ImageCache, Resolver};
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
    /// Also write `<name>-handout.pdf`, `<name>-notes.pdf` (each slide with its speaker
    /// notes), `<name>.pdfpc` (speaker notes for presenter consoles): what the command
    /// line asks for, added to what the deck's `outputs:` asks for.
    pub outputs: crate::outputs::RequestedOutputs,
    /// Also write every page as `<dir>/<name>-NN.png` / `.svg`.
    pub png_dir: Option<PathBuf>,
    pub svg_dir: Option<PathBuf>,
    /// `--strict`: every warning is an error (as is `strict: true` in the front matter).
    pub strict: bool,
    /// `--steps`: pauses make step pages whatever the deck's dialect (as `steps: true`).
    pub steps: bool,
    /// `--offline`: remote images come from the image cache only.
    pub network: crate::remote::Network,
    /// `--no-fit-cache`: neither read nor write the fit cache (see `crate::fitcache`) nor
    /// the formatted citations kept beside it (`crate::citecache`).
    pub no_fit_cache: bool,
    /// No rebuild follows (`lectern build`): Typst's cache of layouts need not outlive the
    /// build, and a compile that fits most slides afresh trims it as it grows (see
    /// `compile::compile`).
    pub once: bool,
    /// Watch mode: the PDF is written first without its tag tree (a third of the export's
    /// time) and page labels, and whole again with them by [`Builder::finish_pdf`] once
    /// the deck is quiet. Not when a handout or notes PDF is asked for: they embed the
    /// deck's PDF, which must then be the finished one.
    pub draft_pdf: bool,
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
    /// Every file written, in order.
    pub written: Vec<PathBuf>,
    /// How far the theme shrank each slide's body (for `-v`).
    pub fits: Vec<crate::fit::SlideFit>,
    /// How the fit cache served the build (`None`: the cache is off).
    pub fit_cache: Option<FitCacheUse>,
}

/// How many slides' fitting searches came from the fit cache, of those the theme
/// searched for.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct FitCacheUse {
    /// Slides given their earlier outcomes as hints.
    pub from_cache: usize,
    /// Slides the theme recorded a search for in this build.
    pub searched: usize,
    /// Slides whose outcomes this build added to the cache.
    pub stored: usize,
}

/// Where a build's time went.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    pub markdown: Duration,
    /// Font discovery (only when the World is created) and the missing-glyph check.
    pub fonts: Duration,
    pub typst: Duration,
    pub pdf: Duration,
    /// The handout and the notes PDF (with the deck typeset again in print colours).
    pub paper: Duration,
}

#[derive(Debug)]
pub struct BuildError {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    /// Files read before the failure (so watch mode can wait for a fix).
    pub dependencies: Vec<PathBuf>,
    /// Outputs written before a write failed (none when the build itself failed).
    pub written: Vec<PathBuf>,
    /// Outputs the build would have written and did not (`*` stands for page numbers).
    pub not_written: Vec<PathBuf>,
}

impl BuildError {
    /// A build that failed before writing: every output it planned is left as it was.
    fn unwritten(
        sources: Sources,
        diagnostics: Vec<Diagnostic>,
        dependencies: Vec<PathBuf>,
        planned: &[PathBuf],
    ) -> BuildError {
        BuildError { sources, diagnostics, dependencies, written: vec![], not_written: planned.to_vec() }
    }

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
    /// Files served to the compiler besides the root (images, logo), for the handout.
    pub overlays: std::collections::HashMap<String, Vec<u8>>,
    pub theme: Theme,
    /// The theme's body text size in pt (for the handout's legibility floor).
    pub body_size: f64,
    /// Virtual path of the generated Typst (documents made beside it go next to it).
    pub main_vpath: String,
    pub fits: Vec<crate::fit::SlideFit>,
    pub fit_cache: Option<FitCacheUse>,
}

/// A deck turned into Typst, with what compiling it needs.
struct Emitted {
    deck: crate::model::Deck,
    theme: Theme,
    root: PathBuf,
    overlays: crate::resolve::Overlays,
    main_vpath: String,
    emitted: emit::Emitted,
    warnings: Vec<Diagnostic>,
    markdown_time: Duration,
    /// The theme's body text size in pt (for the handout's legibility floor).
    body_size: f64,
    /// What the emitter needs besides the deck and theme, to emit again with hints.
    deck_name: String,
    logo_vpath: Option<String>,
}

/// The handout and notes PDF as (file-name suffix, bytes), and their warnings.
type PaperOutputs = (Vec<(&'static str, Vec<u8>)>, Vec<Diagnostic>);

#[derive(Default)]
pub struct Builder {
    world: Option<(PathBuf, Vec<PathBuf>, LecternWorld)>,
    images: ImageCache,
    /// Files the resolve stage read in the last build.
    touched: Vec<PathBuf>,
    /// Generated Typst of each slide in the last build, to tell which slides changed.
    last_slides: Vec<String>,
    /// …and of the deck set-up before the first slide (theme settings, accent).
    last_header: String,
    /// Size and modification time of each file the last build read.
    last_files: std::collections::HashMap<PathBuf, FileStamp>,
    /// The fit cache, read at the first compile (`None` until then).
    fit_cache: Option<crate::fitcache::FitCache>,
    /// Which slides the last build passed hints to (`None` before the first build). A
    /// later build of this Builder (watch mode) passes hints only where the last one did:
    /// a hint added to a slide whose code was compiled without makes Typst renumber the
    /// source after it, and lose its memo of every later page.
    hinted_slides: Option<Vec<bool>>,
    /// Ids of the slides whose guessed body did not fit (see [`crate::guess`]): a rebuild
    /// does not guess them again, edited or not (an author editing a slide that runs over
    /// would otherwise have each rebuild compiled twice). Kept for the slides of the deck.
    guess_missed: std::collections::HashSet<String>,
    /// Trimming Typst's cache of what the last ten compiles did not use, as typst-cli does
    /// between rebuilds (see [`Eviction`]).
    eviction: Eviction,
    /// The document of the last PDF written as a draft (see [`BuildRequest::draft_pdf`]),
    /// until [`Builder::finish_pdf`] writes it tagged.
    draft: Option<DraftPdf>,
}

struct DraftPdf {
    /// Without page labels (see `labels`).
    document: typst_layout::PagedDocument,
    labels: Vec<usize>,
    ident: String,
    path: PathBuf,
}

/// The walk over Typst's cache that drops what ten compiles did not use takes ~16 ms at
/// 370 slides. It is due after each compile, runs on a thread of its own once the build's
/// outputs are written (so a rebuild's PDF is not held up by it; watch mode waits for the
/// next save meanwhile), and is finished before the next compile uses Typst.
#[derive(Default)]
enum Eviction {
    #[default]
    Done,
    Due,
    Running(std::thread::JoinHandle<()>),
}

const EVICT_AFTER_COMPILES: usize = 10;

type FileStamp = (u64, Option<std::time::SystemTime>);

fn file_stamps(paths: &[PathBuf]) -> std::collections::HashMap<PathBuf, FileStamp> {
    paths.iter().filter_map(|p| std::fs::metadata(p).ok().map(|m| (p.clone(), (m.len(), m.modified().ok())))).collect()
}

impl Builder {
    pub fn new() -> Self {
        Builder::default()
    }

    /// Builds every requested output in memory, then writes them all (each atomically)
    /// only when all of them succeeded.
    pub fn build(&mut self, request: &BuildRequest) -> Result<BuildReport, BuildError> {
        let result = self.build_outputs(request);
        self.evict_in_background();
        result
    }

    /// Writes the PDF the last build wrote as a draft again, whole, with its tag tree and
    /// page labels (see [`BuildRequest::draft_pdf`]); `None` when there is none. On an
    /// error the draft stays on disk as it is, and is not tried again.
    pub fn finish_pdf(&mut self) -> Option<Result<PathBuf, Vec<Diagnostic>>> {
        let draft = self.draft.take()?;
        let document = with_page_labels(draft.document, &draft.labels);
        let written = compile::export_pdf(&document, &draft.ident, true).and_then(|pdf| {
            crate::output::write_atomically(&draft.path, &pdf).map_err(|e| write_error(&draft.path, e))
        });
        Some(written.map(|()| draft.path))
    }

    fn evict_in_background(&mut self) {
        if let Eviction::Due = self.eviction {
            // Dropping deeply nested content recurses: the stack Typst's own threads get
            // (reserved, not used; see `main`).
            let thread = std::thread::Builder::new()
                .name("lectern-evict".into())
                .stack_size(256 << 20)
                .spawn(|| typst::comemo::evict(EVICT_AFTER_COMPILES));
            match thread {
                Ok(thread) => self.eviction = Eviction::Running(thread),
                Err(_) => self.settle_eviction(),
            }
        }
    }

    /// Finishes the eviction the last compile left (see [`Eviction`]).
    fn settle_eviction(&mut self) {
        match std::mem::take(&mut self.eviction) {
            Eviction::Done => {}
            Eviction::Due => typst::comemo::evict(EVICT_AFTER_COMPILES),
            Eviction::Running(thread) => {
                // A panic there leaves the cache as it was: nothing to report.
                let _ = thread.join();
            }
        }
    }

    fn build_outputs(&mut self, request: &BuildRequest) -> Result<BuildReport, BuildError> {
        let started = Instant::now();
        let mut sources = Sources::default();
        let output = request.output.clone().unwrap_or_else(|| request.deck.with_extension("pdf"));
        // What the command line asks for; the deck's `outputs:` is known once it is parsed.
        let planned = planned_outputs(request, &output, &request.outputs.resolve(&Default::default()));
        let fail =
            |sources, diagnostics, dependencies| BuildError::unwritten(sources, diagnostics, dependencies, &planned);
        if let Some(diagnostic) = missing_folder(request, &output) {
            return Err(fail(sources, vec![diagnostic], vec![request.deck.clone()]));
        }
        if let Some(diagnostic) = output_over_input(&planned, std::slice::from_ref(&request.deck)) {
            return Err(fail(sources, vec![diagnostic], vec![request.deck.clone()]));
        }
        let compiled = match self.compile(request, &mut sources) {
            Ok(c) => c,
            Err(Failure(diagnostics)) => {
                let deps = self.dependencies(request);
                return Err(fail(sources, diagnostics, deps));
            }
        };
        let dependencies = self.dependencies(request);
        let files = request.outputs.resolve(&compiled.deck.meta.outputs);
        let planned = planned_outputs(request, &output, &files);
        let fail =
            |sources, diagnostics, dependencies| BuildError::unwritten(sources, diagnostics, dependencies, &planned);
        if let Some(diagnostic) = output_over_input(&planned, &dependencies) {
            return Err(fail(sources, vec![diagnostic], dependencies));
        }
        if (request.strict || compiled.deck.meta.strict) && !compiled.warnings.is_empty() {
            return Err(fail(sources, crate::diag::strict(compiled.warnings), dependencies));
        }
        let pdf_started = Instant::now();
        // The same deck gives the same identifier however its path was typed.
        let deck_file = deck_folder(&request.deck).join(request.deck.file_name().unwrap_or_default());
        let relative = build_root(request).ok().and_then(|r| deck_file.strip_prefix(r).ok().map(Path::to_path_buf));
        let ident = format!("lectern:{}", relative.unwrap_or(deck_file).display());
        let labels = crate::pages::page_labels(&compiled.deck);
        let draft = request.draft_pdf && files.handout.is_none() && files.notes_pdf.is_none();
        // A draft goes without page labels too: labelling the pages makes Typst index the
        // whole document again (~8 ms at 370 slides).
        let document =
            if draft { compiled.document.clone() } else { with_page_labels(compiled.document.clone(), &labels) };
        let pdf = match compile::export_pdf(&document, &ident, !draft) {
            Ok(pdf) => pdf,
            Err(diagnostics) => return Err(fail(sources, diagnostics, dependencies)),
        };
        let mut outputs = Vec::new();
        if let Some(path) = &request.typst_output {
            // `x.typ` is the main file alone; any other path a folder for a whole project.
            if path.extension().is_some_and(|e| e == "typ") {
                outputs.push(Output { path: path.clone(), bytes: compiled.typst_source.clone().into_bytes() });
            } else {
                let files = self.world.as_mut().map(|(_, _, world)| world.files_read()).unwrap_or_default();
                for (relative, bytes) in crate::project::files(&compiled.typst_source, &files, &compiled.fonts) {
                    outputs.push(Output { path: path.join(relative), bytes });
                }
            }
        }
        let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let sibling = |suffix: &str| output.with_file_name(format!("{stem}{suffix}"));
        if files.pdfpc {
            outputs.push(Output {
                path: sibling(".pdfpc"),
                bytes: crate::handout::pdfpc::pdfpc(&compiled.deck).into_bytes(),
            });
        }
        for (dir, ext) in [(&request.png_dir, "png"), (&request.svg_dir, "svg")] {
            let Some(dir) = dir else { continue };
            for (i, page) in compiled.document.pages().iter().enumerate() {
                let bytes = if ext == "png" {
                    // 2 px per pt: a 16:9 slide becomes 1587 × 893 px.
                    let options = typst_render::RenderOptions { pixel_per_pt: 2.0.into(), ..Default::default() };
                    typst_render::render(page, &options).encode_png().unwrap_or_default()
                } else {
                    typst_svg::svg(page, &typst_svg::SvgOptions::default()).into_bytes()
                };
                outputs.push(Output { path: dir.join(format!("{stem}-{:02}.{ext}", i + 1)), bytes });
            }
        }
        let mut warnings = compiled.warnings.clone();
        let settings = &request.outputs.settings;
        if files.handout.is_none() && (settings.notes.is_some() || settings.lines.is_some() || settings.skip.is_some())
        {
            warnings.push(
                Diagnostic::warning(
                    None,
                    "--handout-notes, --handout-lines and --handout-skip have no effect: no handout is written",
                )
                .with_hint("ask for one with --handout N, --all, or `outputs: [handout]` in the front matter"),
            );
        }
        let paper_started = Instant::now();
        if files.handout.is_some() || files.notes_pdf.is_some() {
            let made = self.paper_outputs(request, &files, &compiled, (&document, &labels, &pdf), &ident, &mut sources);
            match made {
                Ok((papers, paper_warnings)) => {
                    warnings.extend(paper_warnings);
                    for (suffix, bytes) in papers {
                        outputs.push(Output { path: sibling(suffix), bytes });
                    }
                }
                Err(diagnostics) => return Err(fail(sources, diagnostics, dependencies)),
            }
        }
        let paper_time = paper_started.elapsed();
        // The PDF last: if another output cannot be written, the last good PDF stays.
        outputs.push(Output { path: output.clone(), bytes: pdf.clone() });
        let written = match crate::output::write_all(&outputs) {
            Ok(written) => written,
            Err(failure) => {
                return Err(BuildError {
                    diagnostics: write_error(&failure.path, failure.error),
                    sources,
                    dependencies,
                    written: failure.written,
                    not_written: failure.not_written,
                });
            }
        };
        // The PDF on disk is this build's now: a draft of it is finished later, a tagged one
        // needs nothing more.
        self.draft = draft.then(|| DraftPdf { document, labels, ident, path: output.clone() });
        let mut timings = compiled.timings;
        timings.paper = paper_time;
        timings.pdf = pdf_started.elapsed().saturating_sub(paper_time);
        Ok(BuildReport {
            output,
            slides: compiled.slides,
            pages: compiled.document.pages().len(),
            bytes: pdf.len(),
            elapsed: started.elapsed(),
            timings,
            warnings,
            sources,
            dependencies,
            changed_slides: compiled.changed_slides,
            fits: compiled.fits,
            fit_cache: compiled.fit_cache,
            svg: if request.svg_pages {
                compiled.document.pages().iter().map(|p| typst_svg::svg(p, &typst_svg::SvgOptions::default())).collect()
            } else {
                vec![]
            },
            written,
        })
    }

    /// The handout and the speaker-notes PDF, as (file-name suffix, bytes), from the deck's
    /// document, its page labels and its PDF.
    fn paper_outputs(
        &mut self,
        request: &BuildRequest,
        files: &crate::outputs::Resolved,
        compiled: &Compiled,
        (document, labels, deck_pdf): (&typst_layout::PagedDocument, &[usize], &[u8]),
        ident: &str,
        sources: &mut Sources,
    ) -> Result<PaperOutputs, Vec<Diagnostic>> {
        let mut made = Vec::new();
        let mut warnings = Vec::new();
        let jobs: Vec<(&'static str, crate::handout::HandoutOptions)> =
            [files.handout.clone().map(|o| ("-handout.pdf", o)), files.notes_pdf.clone().map(|o| ("-notes.pdf", o))]
                .into_iter()
                .flatten()
                .collect();
        // Print colours: the same deck built again with a white palette (own Sources, so
        // its messages do not repeat the deck's).
        let printed = if jobs.iter().all(|(_, o)| o.keep_theme) {
            None
        } else {
            let mut print_sources = Sources::default();
            match self.compile_with(request, &mut print_sources, true) {
                Ok(c) if c.document.pages().len() == document.pages().len() => {
                    let printed = with_page_labels(c.document, labels);
                    let pdf = compile::export_pdf(&printed, &format!("{ident}:print"), true)?;
                    Some((printed, pdf))
                }
                Ok(_) => None,
                Err(Failure(d)) => {
                    *sources = print_sources;
                    return Err(d);
                }
            }
        };
        for (suffix, options) in jobs {
            let (slides_doc, pdf) = match &printed {
                Some((doc, pdf)) if !options.keep_theme => (doc, pdf.clone()),
                _ => (document, deck_pdf.to_vec()),
            };
            let input = crate::handout::Input {
                deck: &compiled.deck,
                fonts: &compiled.fonts,
                document: slides_doc,
                options: &options,
                body_size: compiled.body_size,
                theme_vpath: &compiled.theme.main_vpath,
            };
            let (text, handout_warnings) = crate::handout::handout_typst(&input);
            warnings.extend(handout_warnings);
            let Some((_, _, world)) = &mut self.world else { return Err(vec![]) };
            let mut overlays = compiled.overlays.clone();
            overlays.insert(crate::vpaths::DECK_PDF.to_string(), pdf);
            // Beside the deck's Typst, so relative paths (citation style) resolve alike.
            let vpath = crate::vpaths::main_beside(&compiled.main_vpath, &suffix[..suffix.len() - 4]);
            world.prepare(&vpath, text, overlays, compiled.theme.clone());
            let (handout, _) = compile::compile(world, &emit::SourceMap::default(), sources, false);
            let handout = handout.map_err(|mut d| {
                for diagnostic in &mut d {
                    diagnostic.message = format!("{}: {}", &suffix[1..], diagnostic.message);
                }
                d
            })?;
            let ident = format!("{ident}{}", &suffix[..suffix.len() - 4]);
            made.push((suffix, compile::export_pdf(&handout, &ident, true)?));
        }
        Ok((made, warnings))
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

    /// The generated Typst of a deck (parse, resolve, layout, emit; nothing is typeset
    /// and no file is written).
    pub fn typst_source(&mut self, request: &BuildRequest, sources: &mut Sources) -> Result<String, Failure> {
        Ok(self.emit(request, sources, false)?.emitted.text)
    }

    /// Markdown to generated Typst: every stage before Typst's. With `print`, the theme
    /// takes print colours (white pages, no filled areas) for the handout.
    fn emit(&mut self, request: &BuildRequest, sources: &mut Sources, print: bool) -> Result<Emitted, Failure> {
        let started = Instant::now();
        let deck_path = &request.deck;
        let bytes = crate::limits::read_input(deck_path, &crate::limits::DECK_BYTES)
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
        let text = crate::safety::normalize_newlines(text);
        let file = sources.add(deck_path.display().to_string(), text.clone());

        let is_playlist = deck_path.extension().is_some_and(|e| e == "yml" || e == "yaml");
        let (mut deck, includes, mut warnings) = if is_playlist {
            crate::include::playlist(&text, file, sources)?
        } else {
            let parsed = parse::parse(&text, file, sources)?;
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
        crate::safety::check_deck(&deck)?;
        crate::highlight::start(&deck);
        if deck.slides.is_empty() && deck.meta.title.is_none() {
            return Err(Diagnostic::error(None, format!("{} has no slides", deck_path.display())).into());
        }
        if deck.meta.lang.is_none() {
            deck.meta.lang = Some(deck.lang());
        }

        // Theme: --theme beats the front matter; a front-matter path is relative to the deck.
        let theme_span = deck.meta.span.map(|s| theme_line(sources, file, s));
        let theme = match (&request.theme, &deck.meta.theme) {
            (Some(spec), _) => themes::resolve(spec, &std::env::current_dir().unwrap_or_default(), sources)?,
            (None, Some(spec)) => themes::resolve_named_by_deck(spec, &deck_dir, theme_span, sources, &mut warnings)
                .map_err(|d| Diagnostic { span: d.span.or(theme_span), ..d })?,
            (None, None) => themes::resolve("seminar", &deck_dir, sources)?,
        };
        if let Some(ratios) = &theme.settings.aspect_ratios
            && !ratios.iter().any(|r| r == deck.meta.aspect.name())
        {
            warnings.push(
                Diagnostic::warning(
                    deck.meta.span,
                    format!(
                        "theme `{}` is made for {}; this deck is {}: its slides may not fit",
                        theme.name,
                        ratios.join(", "),
                        deck.meta.aspect.name()
                    ),
                )
                .with_hint(format!("use `aspect: \"{}\"`, or a theme made for this size", ratios[0])),
            );
        }

        if request.theme.is_none()
            && let Some(dir) = theme.folders.iter().map(|(_, d)| d).find(|d| !crate::paths::inside_root(d, &root))
        {
            return Err(Diagnostic::error(
                theme_span,
                format!("theme folder {} lies outside the build root {}", dir.display(), root.display()),
            )
            .with_hint("a deck may use a theme folder under the root; pass a theme from elsewhere with --theme")
            .into());
        }
        crate::safety::check_front_matter(&deck.meta, theme.settings.footer.as_deref())?;
        // Formatted citations are kept beside the fit cache, and off with it.
        let citation_cache = if request.no_fit_cache { None } else { crate::citecache::cache_path() };
        let (overlays, touched) = Resolver::new(&root, &deck_dir, &mut self.images, sources)
            .with_network(request.network)
            .with_citation_cache(citation_cache)
            .resolve_deck(&mut deck, &mut warnings);
        self.touched.extend(touched);
        let mut overlays = overlays?;
        // The logo: front matter (relative to the deck) beats theme.yaml (relative to its folder).
        let logo = match (&deck.meta.theme_overrides.logo, &theme.logo) {
            (Some(path), _) => Some(deck_dir.join(path)),
            (None, Some((_, path))) => Some(path.clone()),
            (None, None) => None,
        };
        let logo_vpath = match logo {
            Some(path) => {
                match crate::safety::read_logo(&path, &root, &theme, deck.meta.theme_overrides.logo.is_some()) {
                    Ok(bytes) => {
                        self.touched.push(path.clone());
                        let vpath = crate::vpaths::logo(path.extension().and_then(|e| e.to_str()).unwrap_or("png"));
                        overlays.insert(vpath.clone(), bytes);
                        Some(vpath)
                    }
                    Err(d) => {
                        let span = theme_span.filter(|_| deck.meta.theme_overrides.logo.is_some());
                        return Err(Diagnostic { span: d.span.or(span), ..d }.into());
                    }
                }
            }
            None => None,
        };
        crate::table::prepare(&mut deck);
        if request.steps {
            deck.meta.steps = Some(true);
        }
        warnings.extend(crate::pages::plan(&mut deck));
        layout::layout(&mut deck);
        crate::phrases::apply(&mut deck);
        let mut theme = theme;
        // pandoc's `fontsize:` scales the whole type scale, as beamer's class option does.
        if let Some(scale) = deck.meta.font_scale {
            for size in theme.settings.type_scale.values_mut() {
                if let Some(scaled) = size.scaled(scale) {
                    *size = scaled;
                }
            }
        }
        if print {
            crate::handout::print::print_colours(&mut theme, deck.meta.theme_overrides.accent.is_some());
        }
        let body_size = crate::handout::print::body_size(&theme);

        let relative = deck_dir.strip_prefix(&root).unwrap_or(Path::new(""));
        let stem = deck_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "deck".into());
        let main_vpath = crate::vpaths::deck_main(&relative.to_string_lossy().replace('\\', "/"), &stem);
        let deck_name = sources.name(file).to_string();
        let emitted = emit_with(&deck, &theme, &deck_name, logo_vpath.as_deref(), &[], false, &[]);
        let markdown_time = started.elapsed();
        Ok(Emitted {
            deck,
            theme,
            root,
            overlays,
            main_vpath,
            emitted,
            warnings,
            markdown_time,
            body_size,
            deck_name,
            logo_vpath,
        })
    }

    /// Parse to typeset document; no file is written.
    pub fn compile(&mut self, request: &BuildRequest, sources: &mut Sources) -> Result<Compiled, Failure> {
        self.compile_with(request, sources, false)
    }

    /// With `print`, the deck in print colours for the handout; such a build leaves what
    /// watch mode tracks as it was.
    fn compile_with(
        &mut self,
        request: &BuildRequest,
        sources: &mut Sources,
        print: bool,
    ) -> Result<Compiled, Failure> {
        let kept = print.then(|| {
            (
                self.touched.clone(),
                self.last_slides.clone(),
                self.last_header.clone(),
                self.last_files.clone(),
                self.hinted_slides.clone(),
            )
        });
        let result = self.compile_inner(request, sources, print);
        if let Some((touched, last_slides, last_header, last_files, hinted_slides)) = kept {
            (self.touched, self.last_slides, self.last_header, self.last_files, self.hinted_slides) =
                (touched, last_slides, last_header, last_files, hinted_slides);
        }
        result
    }

    fn compile_inner(
        &mut self,
        request: &BuildRequest,
        sources: &mut Sources,
        print: bool,
    ) -> Result<Compiled, Failure> {
        // Making the World (the font index, Typst's library) and parsing lectern's own Typst
        // files take a few milliseconds: the first build of a process does both while the
        // Markdown stages run, with the font folders known before the deck is read (a theme
        // folder with fonts of its own has the World made again below). It is made on a
        // thread of the pool Typst lays out with, whose memory Typst then reuses (a thread of
        // its own kept ~2 MB more at the peak).
        let early_world = match (&self.world, build_root(request)) {
            (None, Ok(root)) => {
                crate::world::parse_builtin_sources_early();
                let font_dirs = request.font_paths.clone();
                let (made, world) = std::sync::mpsc::channel();
                rayon::spawn(move || {
                    let world = new_world(&root, &font_dirs);
                    let _ = made.send((root, font_dirs, world));
                });
                Some(world)
            }
            _ => None,
        };
        let emitted = self.emit(request, sources, print);
        let joined = Instant::now();
        if let Some(made) = early_world.and_then(|world| world.recv().ok()) {
            self.world.get_or_insert(made);
        }
        let waited_for_world = joined.elapsed();
        let Emitted {
            deck,
            theme,
            root,
            overlays,
            main_vpath,
            emitted,
            mut warnings,
            markdown_time,
            body_size,
            deck_name,
            logo_vpath,
        } = emitted?;

        let fonts_started = Instant::now();
        self.settle_eviction();
        let world = self.world_for(&root, request, &theme);
        let glyph_errors = compile::check_glyphs(world.book(), &emitted.visible_text, sources);
        let fonts_time = waited_for_world + fonts_started.elapsed();
        if !glyph_errors.is_empty() {
            return Err(Failure(glyph_errors));
        }
        if let Some(fonts) = &theme.settings.fonts {
            world.load_fonts_early(fonts);
        }
        let fonts = theme
            .settings
            .fonts
            .as_ref()
            .map(|f| f.ja.iter().chain(f.latin.iter()).flatten().cloned().collect())
            .unwrap_or_default();
        let theme_dirs: Vec<PathBuf> = theme.folders.iter().map(|(_, dir)| dir.clone()).collect();
        // The main text is set again (split by slide) before the first compile reads it.
        world.prepare(&main_vpath, emitted.text.clone(), overlays.clone(), theme.clone());
        let typst_started = Instant::now();
        let mut off = crate::fitcache::FitCache::open(None);
        let fit_cache = if request.no_fit_cache {
            &mut off
        } else {
            self.fit_cache.get_or_insert_with(|| crate::fitcache::FitCache::open(crate::fitcache::cache_path()))
        };
        let world = &mut self.world.as_mut().expect("made above").2;
        // The fit cache: the outcomes of the theme's searches for slides laid out before
        // with the same inputs, passed back as hints (see `crate::fitcache`).
        let keys = fit_keys(world, &emitted);
        let hints = if fit_cache.enabled() {
            let mut found = fit_cache.lookup(&keys, |vpath| world.file_digest(vpath));
            if let Some(hinted) = &self.hinted_slides {
                for (i, hint) in found.iter_mut().enumerate() {
                    if hinted.get(i) != Some(&true) {
                        *hint = None;
                    }
                }
            }
            found
        } else {
            vec![None; keys.len()]
        };
        // What is compiled: the deck with the hints found and `probe:` copies for the calls
        // without (see `emit::Emitter::probe_arg`). Should the theme refuse them (a theme of its
        // own whose functions take no `probe`, or one that wraps the seminar theme's
        // functions with fixed arguments and so takes no hints either), the deck without
        // probes, then without hints: as generated for the cache keys.
        let any_hint = hints.iter().any(Option::is_some);
        let plans: &[(bool, bool)] =
            if any_hint { &[(true, true), (true, false), (false, false)] } else { &[(false, true), (false, false)] };
        // Trimmed only where most slides are fitted by searching (see `compile::compile`).
        let trim = request.once && hints.iter().filter(|h| h.is_none()).count() * 2 >= hints.len();
        self.guess_missed.retain(|id| deck.slides.iter().any(|slide| slide.id == *id));
        let mut outcome = None;
        for (attempt, &(with_hints, probes)) in plans.iter().enumerate() {
            // Slides without hints whose body the theme may guess fits (see `crate::guess`).
            let mut guesses: Vec<bool> = deck
                .slides
                .iter()
                .enumerate()
                .map(|(i, slide)| {
                    crate::guess::guessable(slide)
                        && !(with_hints && hints.get(i).is_some_and(Option::is_some))
                        && !self.guess_missed.contains(&slide.id)
                })
                .collect();
            let emit_plan = |guesses: &[bool]| {
                (with_hints || probes).then(|| {
                    let hints: &[Option<crate::fitcache::SlideHints>] = if with_hints { &hints } else { &[] };
                    emit_with(&deck, &theme, &deck_name, logo_vpath.as_deref(), hints, probes, guesses)
                })
            };
            let mut candidate = emit_plan(&guesses);
            let compiled = candidate.as_ref().unwrap_or(&emitted);
            let (text, map) = (split_by_slide(compiled), &compiled.map);
            if attempt == 0 {
                world.set_main_text(text);
            } else {
                world.prepare(&main_vpath, text, overlays.clone(), theme.clone());
            }
            let (mut document, mut typst_warnings) = compile::compile(world, map, sources, trim);
            // Slides whose guessed body ran over: compiled again without the guess, the
            // others unchanged (Typst's cache).
            let missed = match (&document, &candidate) {
                (Ok(laid_out), Some(_)) => crate::guess::missed(laid_out, &deck, &guesses),
                _ => Default::default(),
            };
            if !missed.is_empty() {
                for &slide in &missed {
                    guesses[slide] = false;
                    self.guess_missed.insert(deck.slides[slide].id.clone());
                }
                candidate = emit_plan(&guesses);
                let compiled = candidate.as_ref().expect("a plan that guessed emits");
                // (A new compile: the files are read again, unchanged slides kept as parsed.)
                world.prepare(&main_vpath, split_by_slide(compiled), overlays.clone(), theme.clone());
                (document, typst_warnings) = compile::compile(world, &compiled.map, sources, trim);
            }
            let ok = document.is_ok();
            outcome = Some((document, typst_warnings, candidate, with_hints));
            if ok {
                break;
            }
        }
        // The last compile's: the first that succeeded, else the plain text's failure.
        let (document, typst_warnings, candidate, used_hints) = outcome.expect("at least one plan");
        let used = candidate.as_ref().unwrap_or(&emitted);
        let from_cache = if used_hints { hints.iter().flatten().count() } else { 0 };
        // A build that nothing follows leaves the cache as it is (a handout's compile too).
        if !request.once {
            self.eviction = Eviction::Due;
        }
        warnings.extend(typst_warnings);
        let document = document.map_err(|mut errors| {
            errors.extend(warnings.iter().cloned());
            Failure(errors)
        })?;
        let recorded = crate::fitcache::recorded(&document, &deck, &used.table_calls);
        let mut stored = 0;
        // A layout that depends on the day, or a theme that could make one slide's layout
        // depend on the others', is not kept.
        if fit_cache.enabled() && !world.today_asked() {
            let files = world.files_read();
            if !files.iter().any(|(vpath, bytes)| crate::fitcache::introspects(vpath, bytes)) {
                let files: Vec<(String, u128)> = files
                    .into_iter()
                    .map(|(vpath, bytes)| (vpath, crate::fitcache::digest(&bytes.as_slice())))
                    .collect();
                stored = fit_cache.store(&keys, &recorded, &files);
                fit_cache.save();
            }
        }
        let fit_cache_use = fit_cache.enabled().then(|| FitCacheUse {
            from_cache,
            searched: recorded.iter().flatten().count(),
            stored,
        });
        if !print {
            // After a hinted compile that failed, the deck stays without hints.
            self.hinted_slides = Some(hints.iter().map(|h| h.is_some() && used_hints).collect());
        }
        let fits = crate::fit::slide_fits(&document, &deck);
        warnings.extend(crate::fit::warnings(&fits, &deck, sources));
        let slide_texts: Vec<String> = emitted.slide_texts().map(str::to_string).collect();
        // A slide changed when its Typst did, when an image it shows changed on disk, and
        // every slide did when the deck set-up (theme settings, accent) or a theme file did.
        let header = emitted.set_up().to_string();
        let files = file_stamps(&self.dependencies(request));
        let changed_files: Vec<&PathBuf> = if self.last_files.is_empty() {
            vec![]
        } else {
            files.iter().filter(|(path, stamp)| self.last_files.get(*path) != Some(*stamp)).map(|(p, _)| p).collect()
        };
        let every_slide = !self.last_slides.is_empty()
            && (header != self.last_header
                || changed_files.iter().any(|f| theme_dirs.iter().any(|dir| f.starts_with(dir))));
        let shown_files: Vec<String> = changed_files
            .iter()
            .filter_map(|f| f.strip_prefix(&root).ok())
            .map(|f| format!("/{}", f.to_string_lossy().replace('\\', "/")))
            .collect();
        let changed_slides = (0..slide_texts.len())
            .filter(|&i| {
                every_slide
                    || self.last_slides.get(i) != slide_texts.get(i)
                    || shown_files.iter().any(|f| slide_texts[i].contains(&format!("\"{f}\"")))
            })
            .map(|i| i + 1)
            .collect();
        self.last_slides = slide_texts;
        self.last_header = header;
        self.last_files = files;
        Ok(Compiled {
            main_vpath,
            overlays,
            theme,
            body_size,
            deck,
            fits,
            fit_cache: fit_cache_use,
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
                paper: Duration::ZERO,
            },
        })
    }

    /// The long-lived World, rebuilt only when the root or font folders change.
    fn world_for(&mut self, root: &Path, request: &BuildRequest, theme: &Theme) -> &mut LecternWorld {
        let mut font_dirs = request.font_paths.clone();
        font_dirs.extend(theme.font_dirs());
        let reusable = matches!(&self.world, Some((r, f, _)) if r == root && *f == font_dirs);
        if !reusable {
            let world = new_world(root, &font_dirs);
            self.world = Some((root.to_path_buf(), font_dirs, world));
        }
        &mut self.world.as_mut().unwrap().2
    }
}

/// The deck's Typst as the compile reads it: a file per slide (see
/// [`crate::world::MainText`]).
fn split_by_slide(emitted: &emit::Emitted) -> crate::world::MainText {
    crate::world::MainText { text: emitted.text.clone(), slides: emitted.slide_ranges.clone() }
}

/// A World for the build root and the font folders, its clock at `SOURCE_DATE_EPOCH` when
/// that is set.
fn new_world(root: &Path, font_dirs: &[PathBuf]) -> LecternWorld {
    let now = match crate::clock::source_date_epoch() {
        Some(epoch) => Time::fixed_timestamp(epoch).unwrap_or_else(|_| Time::system()),
        None => Time::system(),
    };
    LecternWorld::new(root, font_dirs, now)
}

/// The generated Typst of a deck, with the hints of an earlier build (none: `&[]`).
fn emit_with(
    deck: &crate::model::Deck,
    theme: &Theme,
    deck_name: &str,
    logo_vpath: Option<&str>,
    hints: &[Option<crate::fitcache::SlideHints>],
    probes: bool,
    guesses: &[bool],
) -> emit::Emitted {
    emit::emit(
        deck,
        &EmitOptions {
            theme,
            deck_name,
            accent: deck.meta.theme_overrides.accent.as_deref(),
            logo: logo_vpath,
            hints,
            probes,
            guesses,
        },
    )
}

/// Each slide's fit-cache key: the program, the fonts, the document set-up before the
/// first slide (theme settings, page size, deck options) and the slide's own Typst, as
/// generated without hints (citations are in it as lectern formatted them, so a citation
/// whose text depends on the deck's others changes it). The files the compile reads are
/// checked apart (the cache keeps a manifest of them).
fn fit_keys(world: &LecternWorld, emitted: &emit::Emitted) -> Vec<u128> {
    let deck = crate::fitcache::digest(&(crate::fitcache::program_stamp(), world.font_fingerprint(), emitted.set_up()));
    emitted.slide_texts().map(|slide| crate::fitcache::digest(&(deck, slide))).collect()
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

/// Every file a build of this request writes (PNG/SVG pages as `<dir>/<name>-*.png`).
fn planned_outputs(request: &BuildRequest, output: &Path, files: &crate::outputs::Resolved) -> Vec<PathBuf> {
    let stem = output.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let sibling = |suffix: &str| output.with_file_name(format!("{stem}{suffix}"));
    let mut paths: Vec<PathBuf> = request.typst_output.iter().cloned().collect();
    paths.push(output.to_path_buf());
    if files.pdfpc {
        paths.push(sibling(".pdfpc"));
    }
    for (dir, ext) in [(&request.png_dir, "png"), (&request.svg_dir, "svg")] {
        if let Some(dir) = dir {
            paths.push(dir.join(format!("{stem}-*.{ext}")));
        }
    }
    if files.handout.is_some() {
        paths.push(sibling("-handout.pdf"));
    }
    if files.notes_pdf.is_some() {
        paths.push(sibling("-notes.pdf"));
    }
    paths
}

/// A folder some output goes into that does not exist.
fn missing_folder(request: &BuildRequest, output: &Path) -> Option<Diagnostic> {
    // A `--typst DIR` project is made with its folders; a single `.typ` needs its folder.
    let typst_file = request.typst_output.as_deref().filter(|p| p.extension().is_some_and(|e| e == "typ"));
    for path in [Some(output), typst_file].into_iter().flatten() {
        let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) else { continue };
        if !folder.is_dir() {
            return Some(
                Diagnostic::error(
                    None,
                    format!("cannot write {}: folder {} does not exist", path.display(), folder.display()),
                )
                .with_hint("create the folder first, or choose another path with -o"),
            );
        }
    }
    for (dir, flag) in [(&request.png_dir, "--png"), (&request.svg_dir, "--svg")] {
        if let Some(dir) = dir
            && !dir.is_dir()
        {
            return Some(
                Diagnostic::error(None, format!("cannot write pages: folder {} does not exist", dir.display()))
                    .with_hint(format!("create the folder first, or give {flag} an existing folder")),
            );
        }
    }
    None
}

/// An output that would replace one of the build's inputs (`-o talk.md`, a deck named
/// `talk.pdf`, an image named like the PNG pages).
fn output_over_input(outputs: &[PathBuf], inputs: &[PathBuf]) -> Option<Diagnostic> {
    for output in outputs {
        let pattern = output.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for input in inputs {
            let clash = match pattern.split_once('*') {
                // PNG/SVG pages: any input in that folder named like a page.
                Some((before, after)) => {
                    let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    name.starts_with(before)
                        && name.ends_with(after)
                        && name.len() > before.len() + after.len()
                        && name[before.len()..name.len() - after.len()].bytes().all(|b| b.is_ascii_digit())
                        && input
                            .parent()
                            .zip(output.parent())
                            .is_some_and(|(a, b)| crate::output::same_file(&a.join("."), &b.join(".")))
                }
                None => crate::output::same_file(output, input),
            };
            if clash {
                return Some(
                    Diagnostic::error(
                        None,
                        format!(
                            "{} is an input of this build; writing the output there would destroy it",
                            input.display()
                        ),
                    )
                    .with_hint(
                        "choose another output path with -o (the PDF's name also sets the handout's and .pdfpc's)",
                    ),
                );
            }
        }
    }
    None
}

/// The document with every page labelled by the slide it shows, so steps of a slide share
/// a label (what pdfpc and PDF viewers show as the page number).
fn with_page_labels(mut document: typst_layout::PagedDocument, labels: &[usize]) -> typst_layout::PagedDocument {
    use std::str::FromStr;
    let Ok(pattern) = typst::model::NumberingPattern::from_str("1") else { return document };
    let numbering = typst::model::Numbering::Pattern(pattern);
    let pages = document.pages().iter().enumerate().map(|(i, page)| {
        let mut page = page.clone();
        page.numbering = Some(numbering.clone());
        page.number = labels.get(i).copied().unwrap_or(i + 1) as u64;
        page
    });
    let pages = pages.collect();
    let info = document.info_mut().clone();
    typst_layout::PagedDocument::new(pages, info)
}

pub use crate::output::write_atomically;
