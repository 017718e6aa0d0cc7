use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

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
  lectern build talk.md --handout 3 --handout-lines --pdfpc")]
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
        /// Folder to create (the deck is <NAME>/<NAME>.md)
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
    /// Also write the generated Typst source (for hand-tuning)
    #[arg(long = "typst", value_name = "OUT.typ")]
    typst_output: Option<PathBuf>,
    /// Also write an A4 handout <NAME>-handout.pdf with N slides a page
    #[arg(long, value_name = "N", value_parser = ["1", "2", "3", "4", "6"])]
    handout: Option<String>,
    /// Put the speaker notes beside or under each slide in the handout
    #[arg(long, requires = "handout")]
    handout_notes: bool,
    /// Put ruled lines for writing beside or under each slide in the handout
    #[arg(long, requires = "handout")]
    handout_lines: bool,
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
    /// List every warning (by default: one line per kind, with the count)
    #[arg(short, long)]
    verbose: bool,
}

fn main() -> ExitCode {
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
        Command::Themes => {
            for theme in lectern::themes::BUILTIN {
                println!("{:<10} {}", theme.name, theme.description);
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
        handout: args.handout.map(|n| lectern::handout::HandoutOptions {
            per_page: n.parse().unwrap_or(2),
            notes: args.handout_notes,
            lines: args.handout_lines,
        }),
        pdfpc: args.pdfpc,
        png_dir: args.png,
        svg_dir: args.svg,
        strict,
    }
}

fn build(args: BuildArgs) -> ExitCode {
    let verbose = args.verbose;
    let request = request(args);
    let shown =
        |warnings: &[diag::Diagnostic]| if verbose { warnings.to_vec() } else { diag::group_warnings(warnings) };
    let mut builder = Builder::new();
    match builder.build(&request) {
        Ok(report) => {
            diag::print(&report.sources, &shown(&report.warnings));
            println!(
                "{}: {} slides, {} pages, {}, {} ms",
                report.output.display(),
                report.slides,
                report.pages,
                human_size(report.bytes),
                report.elapsed.as_millis()
            );
            if std::env::var_os("LECTERN_TIMINGS").is_some() {
                let t = report.timings;
                eprintln!(
                    "timings: markdown {:.1} ms, fonts {:.1} ms, typst {:.1} ms, pdf {:.1} ms",
                    t.markdown.as_secs_f64() * 1e3,
                    t.fonts.as_secs_f64() * 1e3,
                    t.typst.as_secs_f64() * 1e3,
                    t.pdf.as_secs_f64() * 1e3
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            diag::print(&error.sources, &shown(&error.diagnostics));
            let errors = error.diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("build failed: {errors} error{}; no PDF written", if errors == 1 { "" } else { "s" });
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
