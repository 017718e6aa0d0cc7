use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use lectern::diag;
use lectern::pipeline::{BuildRequest, Builder};

/// Compile Markdown slide outlines into themed Typst slide decks and PDFs.
#[derive(Parser)]
#[command(name = "lectern", version, about, long_about = None, after_help = "Examples:
  lectern build decks/cyber-bill-2025.md        write decks/cyber-bill-2025.pdf
  lectern watch talk.md --open                  rebuild on every save
  lectern new my-talk                           start a deck from the template
  lectern themes                                list the built-in themes

Exit status: 0 built, 1 a mistake in the deck (reported at file:line), 2 a usage error.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a deck into a PDF
    #[command(after_help = "Examples:
  lectern build decks/cyber-bill-2025.md
  lectern build talk.md -o out/talk.pdf --theme seminar
  lectern build talk.md --font-path ~/fonts --typst talk.typ
  lectern build talk.md --handout 3 --handout-lines --pdfpc
  lectern build talk.md --handout 6 --handout-notes --paper letter
  lectern build talk.md --all                   PDF, handout, notes PDF and .pdfpc

  lectern build talk.md -v                      also print each slide's fit")]
    Build(BuildArgs),
    /// Build, then rebuild on every change of the deck, its images or its theme
    #[command(after_help = "Examples:
  lectern watch decks/cyber-bill-2025.md
  lectern watch talk.md -o talk.pdf --open

Keeps the last good PDF when an edit breaks the build; stop with Ctrl-C.")]
    Watch {
        #[command(flatten)]
        build: BuildArgs,
        /// Open the PDF in the system viewer after the first build
        #[arg(long)]
        open: bool,
    },
    /// Watch and serve a live preview in the browser (localhost only)
    #[command(after_help = "Examples:
  lectern serve decks/cyber-bill-2025.md
  lectern serve talk.md --port 8000 --open")]
    Serve {
        #[command(flatten)]
        build: BuildArgs,
        /// Port on 127.0.0.1 [default: the first free one of 3000-3005]
        #[arg(long)]
        port: Option<u16>,
        /// Open the preview in the browser
        #[arg(long)]
        open: bool,
    },
    /// Create a folder with a starter deck that uses every layout, ready to build
    #[command(after_help = "Examples:
  lectern new my-talk
  lectern new my-talk --theme dark && lectern build my-talk/my-talk.md")]
    New {
        /// Folder to create (the deck is <NAME>/<NAME>.md; `talk.md` makes talk/talk.md)
        name: PathBuf,
        /// Theme for the new deck
        #[arg(long, default_value = "seminar")]
        theme: String,
    },
    /// Render every built-in theme × layout to PNGs and write <OUT>/themes.md
    #[command(after_help = "Example:\n  lectern gallery docs")]
    Gallery {
        /// Folder for themes.md and gallery/*.png
        #[arg(default_value = "docs")]
        out: PathBuf,
    },
    /// List the built-in themes
    #[command(after_help = "Example:\n  lectern themes")]
    Themes,
    /// List a deck's slides: number, PDF pages, Markdown line, id and title
    #[command(after_help = "Examples:
  lectern slides talk.md
  lectern slides talk.md --json | jq '.[] | select(.pages | length > 1)'

Ids are what `<!-- include: other.md#id -->` takes; pages are the deck PDF's pages, and
every page of a slide is labelled with the slide's number.")]
    Slides {
        /// The Markdown deck (or playlist)
        deck: PathBuf,
        /// Print JSON for scripts
        #[arg(long)]
        json: bool,
        /// Folder the build may read files from
        #[arg(long, value_name = "DIR")]
        root: Option<PathBuf>,
    },
}

/// Colours of the slides in the handout.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum HandoutTheme {
    /// White pages, no dark or filled areas (saves ink)
    Print,
    /// The deck's own colours
    Keep,
}

#[derive(Args)]
struct BuildArgs {
    /// The Markdown deck
    deck: PathBuf,
    /// Where to write the PDF [default: the deck's path with .pdf]
    #[arg(short, long, value_name = "OUT.pdf")]
    output: Option<PathBuf>,
    /// Built-in theme name or theme folder (overrides the front matter)
    #[arg(long, value_name = "NAME|DIR")]
    theme: Option<String>,
    /// Extra folder of fonts (repeatable; also LECTERN_FONT_PATHS)
    #[arg(long = "font-path", value_name = "DIR")]
    font_paths: Vec<PathBuf>,
    /// Folder the build may read files from [default: the current folder when the deck
    /// is inside it, else the deck's folder]
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Also write the generated Typst: OUT.typ alone (for reading), or any other path as a
    /// folder holding a Typst project that compiles on its own (`typst compile main.typ`)
    #[arg(long = "typst", value_name = "OUT.typ|DIR")]
    typst_output: Option<PathBuf>,
    /// Also write a handout <NAME>-handout.pdf with N slides a page
    #[arg(long, value_name = "N")]
    handout: Option<lectern::handout::Mode>,
    /// Put the speaker notes beside or under each slide in the handout
    #[arg(long)]
    handout_notes: bool,
    /// Put ruled lines for writing beside or under each slide in the handout
    #[arg(long)]
    handout_lines: bool,
    /// Slides the handout leaves out (comma-separated)
    #[arg(long, value_name = "KIND,…", value_delimiter = ',')]
    handout_skip: Option<Vec<lectern::handout::Skip>>,
    /// Colours of the slides in the handout and the notes PDF [default: print]
    #[arg(long, value_name = "print|keep")]
    handout_theme: Option<HandoutTheme>,
    /// Paper of the handout and the notes PDF [default: a4]
    #[arg(long, value_name = "a4|letter")]
    paper: Option<lectern::handout::Paper>,
    /// Also write <NAME>-notes.pdf: each slide with its speaker notes under it, to present from
    #[arg(long)]
    notes_pdf: bool,
    /// Write everything: the PDF, the handout (3 a page unless --handout or the deck's
    /// `outputs:` says), the notes PDF and the .pdfpc. A deck can ask for these itself with
    /// `outputs:` in its front matter; the command line adds to that
    #[arg(long)]
    all: bool,
    /// Also write <NAME>.pdfpc with the speaker notes, for presenter consoles (pdfpc)
    #[arg(long)]
    pdfpc: bool,
    /// Also write every page as PNG into DIR (<NAME>-01.png, …)
    #[arg(long, value_name = "DIR")]
    png: Option<PathBuf>,
    /// Also write every page as SVG into DIR (<NAME>-01.svg, …)
    #[arg(long, value_name = "DIR")]
    svg: Option<PathBuf>,
    /// Make every warning an error (for CI); same as `strict: true` in the front matter
    #[arg(long)]
    strict: bool,
    /// Pauses make step pages in the PDF, also in a deck written for Marp, pandoc, Quarto
    /// or Slidev (whose own PDF exports show every fragment at once); same as `steps: true`
    #[arg(long)]
    steps: bool,
    /// Never use the network: remote images come from the image cache or are placeholders
    #[arg(long, env = "LECTERN_OFFLINE", value_parser = clap::builder::BoolishValueParser::new())]
    offline: bool,
    /// List every warning (by default: one line per kind, with the count) and how far each
    /// slide's text was shrunk to fit
    #[arg(short, long)]
    verbose: bool,
    /// Fit every slide and format every citation afresh: neither read nor write the fit
    /// cache and the citations kept beside it (also LECTERN_NO_FIT_CACHE=1)
    #[arg(long)]
    no_fit_cache: bool,
}

fn main() -> ExitCode {
    // glibc raises its mmap threshold each time a large block is freed, and memory freed
    // below the threshold stays with the process: Typst's layout frees and allocates large
    // blocks all build long. A fixed threshold (glibc's initial 128 KiB) hands them back,
    // which lowers the peak memory of a 370-slide build by ~15 MB at the same speed.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: sets a malloc parameter before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
    // Legal but deep input (long formulas, nested lists) recurses in the parsers and in
    // Typst: a roomy stack (reserved, not used) lets it finish where the default 8 MB
    // would abort the process; `lectern::limits` bounds how deep input may go.
    // Typst lays pages out on rayon's threads: they get the same room.
    let _ = rayon::ThreadPoolBuilder::new().stack_size(256 << 20).build_global();
    match std::thread::Builder::new().name("lectern".into()).stack_size(512 << 20).spawn(run) {
        // A panic has printed its message; the exit status stays that of a failed build.
        Ok(thread) => thread.join().unwrap_or(ExitCode::from(1)),
        // A system that will not reserve the stack still gets a build, on the main thread.
        Err(_) => run(),
    }
}

fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build(args) => build(args),
        Command::Serve { build, port, open } => match lectern::watch::serve(&request(build), port, open) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Command::Watch { build, open } => match lectern::watch::watch(&request(build), open, |_| {}) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Command::New { name, theme } => match lectern::scaffold::new_deck(&name, &theme) {
            Ok(path) => {
                println!("created {} (build it with: lectern build {})", path.display(), path.display());
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Command::Gallery { out } => match lectern::scaffold::gallery(&out) {
            Ok(n) => {
                println!(
                    "wrote {} and {n} images in {}",
                    out.join("themes.md").display(),
                    out.join("gallery").display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(1)
            }
        },
        Command::Slides { deck, json, root } => slides(deck, json, root),
        Command::Themes => {
            for theme in lectern::themes::BUILTIN {
                println!("{:<10} {}", theme.name, theme.description());
            }
            ExitCode::SUCCESS
        }
    }
}

fn request(args: BuildArgs) -> BuildRequest {
    let strict = args.strict;
    let mut font_paths = args.font_paths;
    if let Some(env) = std::env::var_os("LECTERN_FONT_PATHS") {
        font_paths.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
    }
    BuildRequest {
        deck: args.deck,
        output: args.output,
        theme: args.theme,
        font_paths,
        root: args.root,
        typst_output: args.typst_output,
        svg_pages: false,
        // Added to the deck's `outputs:`; what is set here wins over what the deck sets.
        outputs: lectern::outputs::RequestedOutputs {
            handout: args.handout.is_some() || args.all,
            notes_pdf: args.notes_pdf || args.all,
            pdfpc: args.pdfpc || args.all,
            settings: lectern::outputs::HandoutSettings {
                mode: args.handout,
                paper: args.paper,
                notes: args.handout_notes.then_some(true),
                lines: args.handout_lines.then_some(true),
                skip: args.handout_skip,
                keep_theme: args.handout_theme.map(|t| t == HandoutTheme::Keep),
            },
        },
        png_dir: args.png,
        svg_dir: args.svg,
        no_fit_cache: args.no_fit_cache,
        once: false,
        draft_pdf: false,
        strict,
        steps: args.steps,
        network: if args.offline { lectern::remote::Network::Offline } else { lectern::remote::Network::Online },
    }
}

fn build(args: BuildArgs) -> ExitCode {
    let verbose = args.verbose;
    let request = BuildRequest { once: true, ..request(args) };
    let shown =
        |warnings: &[diag::Diagnostic]| if verbose { warnings.to_vec() } else { diag::group_warnings(warnings) };
    // Ctrl-C or SIGTERM while writing must not leave temporary files behind.
    lectern::output::clean_up_on_interrupt();
    let mut builder = Builder::new();
    match builder.build(&request) {
        Ok(report) => {
            diag::print(&report.sources, &shown(&report.warnings));
            if verbose {
                for fit in &report.fits {
                    println!("slide {:>3}: {}", fit.slide, fit.describe());
                }
                if let Some(cache) = report.fit_cache {
                    println!(
                        "fit cache: {} of {} fitted slides laid out from the cache, {} stored",
                        cache.from_cache, cache.searched, cache.stored
                    );
                }
            }
            let others: Vec<&PathBuf> = report.written.iter().filter(|p| **p != report.output).collect();
            let also = if others.is_empty() { String::new() } else { format!("; also wrote {}", list_files(&others)) };
            println!(
                "{}: {} slides, {} pages, {}, {} ms{also}",
                report.output.display(),
                report.slides,
                report.pages,
                human_size(report.bytes),
                report.elapsed.as_millis()
            );
            if std::env::var_os("LECTERN_TIMINGS").is_some() {
                let t = report.timings;
                eprintln!(
                    "timings: markdown {:.1} ms, fonts {:.1} ms, typst {:.1} ms, pdf {:.1} ms, handout and notes PDF {:.1} ms",
                    t.markdown.as_secs_f64() * 1e3,
                    t.fonts.as_secs_f64() * 1e3,
                    t.typst.as_secs_f64() * 1e3,
                    t.pdf.as_secs_f64() * 1e3,
                    t.paper.as_secs_f64() * 1e3
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            diag::print(&error.sources, &shown(&error.diagnostics));
            let errors = error.diagnostics.iter().filter(|d| d.is_error()).count();
            let s = if errors == 1 { "" } else { "s" };
            let not_written: Vec<&PathBuf> = error.not_written.iter().collect();
            if error.written.is_empty() {
                let kept: Vec<&PathBuf> = error.not_written.iter().filter(|p| p.exists()).collect();
                let kept =
                    if kept.is_empty() { String::new() } else { format!(" ({} left as it was)", list_files(&kept)) };
                eprintln!("build failed: {errors} error{s}; no PDF written, nothing written{kept}");
            } else {
                let written: Vec<&PathBuf> = error.written.iter().collect();
                eprintln!(
                    "build failed: {errors} error{s}; wrote {}; not written: {}",
                    list_files(&written),
                    list_files(&not_written)
                );
            }
            ExitCode::from(1)
        }
    }
}

fn human_size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}

/// File names for a summary line; page images are counted, not listed.
fn list_files(paths: &[&PathBuf]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut pages: std::collections::BTreeMap<(String, String), usize> = Default::default();
    for path in paths {
        let ext = path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
        let dir = path.parent().map(|d| d.display().to_string()).unwrap_or_default();
        if (ext == "png" || ext == "svg") && !path.to_string_lossy().contains('*') {
            *pages.entry((dir, ext)).or_default() += 1;
        } else {
            out.push(path.display().to_string());
        }
    }
    for ((dir, ext), n) in pages {
        let dir = if dir.is_empty() { ".".to_string() } else { dir };
        out.push(format!("{n} {} pages in {dir}", ext.to_uppercase()));
    }
    out.join(", ")
}

/// `lectern slides`: what each slide is, where it comes from and where it prints.
fn slides(deck: PathBuf, json: bool, root: Option<PathBuf>) -> ExitCode {
    let request = BuildRequest { deck, root, once: true, ..Default::default() };
    let mut sources = lectern::diag::Sources::default();
    let compiled = match Builder::new().compile(&request, &mut sources) {
        Ok(c) => c,
        Err(failure) => {
            diag::print(&sources, &failure.0);
            return ExitCode::from(1);
        }
    };
    let deck = &compiled.deck;
    let pages = lectern::pages::page_list(deck);
    let rows: Vec<serde_json::Value> = deck
        .slides
        .iter()
        .zip(&pages)
        .map(|(slide, pages)| {
            let ja = deck.lang().is_ja();
            let title = match slide.kind {
                lectern::model::SlideKind::Title => deck.meta.title.clone().unwrap_or_default(),
                lectern::model::SlideKind::Agenda => (if ja { "目次" } else { "Agenda" }).to_string(),
                lectern::model::SlideKind::Sources => (if ja { "出典" } else { "Sources" }).to_string(),
                _ => slide.title.as_deref().map(lectern::model::plain_text).unwrap_or_default(),
            };
            let (line, _) = sources.line_col(slide.span.file, slide.span.start);
            serde_json::json!({
                "slide": pages.slide,
                "label": pages.slide.to_string(),
                "id": slide.id,
                "kind": format!("{:?}", slide.kind).to_lowercase(),
                "layout": slide.layout.map(|l| l.name()),
                "title": lectern::handout::readable(&title),
                "file": sources.name(slide.span.file),
                "line": line,
                "pages": pages.pages,
                "notes": !slide.notes.is_empty(),
            })
        })
        .collect();
    diag::print(&sources, &compiled.warnings);
    // Written at once, and a closed pipe (`| head`) is no error.
    use std::io::Write;
    let mut out = String::new();
    if json {
        out = serde_json::to_string_pretty(&rows).unwrap_or_default() + "\n";
    } else {
        out += &format!("{:>5}  {:<7}  {:<28}  {:<20}  title\n", "slide", "pages", "source", "id");
        for row in &rows {
            let pages: Vec<usize> = serde_json::from_value(row["pages"].clone()).unwrap_or_default();
            let range = match pages.as_slice() {
                [one] => one.to_string(),
                [first, .., last] => format!("{first}-{last}"),
                [] => String::new(),
            };
            out += &format!(
                "{:>5}  {:<7}  {}  {}  {}\n",
                row["slide"].as_u64().unwrap_or_default(),
                range,
                pad(&format!("{}:{}", row["file"].as_str().unwrap_or(""), row["line"]), 28),
                pad(row["id"].as_str().unwrap_or(""), 20),
                row["title"].as_str().unwrap_or("")
            );
        }
    }
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    ExitCode::SUCCESS
}

/// `text` padded with spaces to `width` terminal columns (a kanji takes two).
fn pad(text: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}
