//! `cargo bench`: where lectern's time and memory go, printed as a table.
//!
//! Decks of about 30, 120 and 370 slides are made from the example deck (its slides
//! repeated, ids suffixed). For each:
//! (a) cold `lectern build` (a fresh process each run), once with an empty fit cache
//!     (every slide fitted by the theme's searches) and once with the fit cache a previous
//!     build of the same deck left (the searches' outcomes passed back as hints), and
//!     beside them, run for run, the same deck set as plain Typst (`benches/plain`: each
//!     slide a page, Typst's own styling, no fitting), so the ratios hold whatever the load;
//! (b) the marginal cost of a slide, from the 30- and 120-slide decks;
//! (c) edit → new PDF on disk after a one-word edit, same World (what watch mode does:
//!     the PDF first without its tag tree, then, once the deck is quiet, with it, timed
//!     apart);
//! (d) the split of a cold build between Markdown stages, fonts, Typst layout and PDF;
//! (e) in-process with a fresh World: lectern vs compiling the Typst `--typst` writes
//!     alone (both without the fit cache; that file has no probe copies, so Typst lays it
//!     out twice);
//! (f) peak memory (max RSS) of a cold build;
//! (g) cold builds of the starter deck `lectern new` writes (a new user's first build;
//!     it has a code block, whose highlighting Typst prepares on first use).
//!
//! The font index stays in the user's cache folder (warm, as on any machine after the
//! first build); the fit cache is a file of the bench's own (`LECTERN_FIT_CACHE`), and an
//! empty one comes without the formatted citations kept beside it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lectern::diag::Sources;
use lectern::pipeline::{BuildRequest, Builder, Timings};

const EXAMPLE: &str = "decks/cyber-bill-2025.md";
/// The bench's baseline theme: the same content as plain Typst.
const PLAIN: &str = "benches/plain";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// Runs `command` to its end: wall time, stdout, stderr and the child's own peak
/// memory (max RSS, KiB; from `wait4`, as `RUSAGE_CHILDREN` keeps the largest child so far).
// The child is reaped by `wait4`, which `Child::wait` cannot stand in for (no rusage).
#[allow(clippy::zombie_processes)]
fn run(command: &mut Command) -> (Duration, String, String, i64) {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("stdout"), dir.path().join("stderr"));
    command.stdout(std::fs::File::create(&out).unwrap()).stderr(std::fs::File::create(&err).unwrap());
    let start = Instant::now();
    let child = command.spawn().expect("run lectern");
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child and writes into values we own.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    assert!(pid > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "lectern failed: {stderr}");
    (elapsed, std::fs::read_to_string(&out).unwrap_or_default(), stderr, usage.ru_maxrss)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// One cold build in a new process with the fit cache in `fit_cache`: wall time, the
/// `LECTERN_TIMINGS` split, peak memory.
fn cold_build(deck: &Path, out: &Path, theme: Option<&str>, fit_cache: &Path) -> (Duration, Option<Timings>, i64) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
    command.arg("build").arg(deck).arg("-o").arg(out).env("LECTERN_TIMINGS", "1");
    command.env("LECTERN_FIT_CACHE", fit_cache).env_remove("LECTERN_NO_FIT_CACHE");
    if let Some(theme) = theme {
        command.args(["--theme", theme]);
    }
    let (elapsed, _, stderr, rss) = run(&mut command);
    (elapsed, timings_line(&stderr), rss)
}

/// `timings: markdown 6.0 ms, fonts 8.5 ms, typst 403.6 ms, pdf 24.0 ms, handout and notes PDF 0.0 ms`
fn timings_line(stderr: &str) -> Option<Timings> {
    let line = stderr.lines().find_map(|l| l.strip_prefix("timings: "))?;
    let mut parts = line.split(", ").map(|p| {
        // The number before the closing `ms` (the last stage's name has several words).
        let value = p.split_whitespace().rev().nth(1)?.parse::<f64>().ok()?;
        Some(Duration::from_secs_f64(value / 1000.0))
    });
    Some(Timings {
        markdown: parts.next()??,
        fonts: parts.next()??,
        typst: parts.next()??,
        pdf: parts.next()??,
        paper: parts.next()??,
    })
}

/// Cold lectern builds of one kind: medians, and the largest peak memory.
struct Builds {
    wall: Duration,
    /// Median of each stage.
    stages: Timings,
    rss_kib: i64,
}

impl Builds {
    fn of(runs: Vec<(Duration, Option<Timings>, i64)>) -> Builds {
        let stages: Vec<Timings> = runs.iter().filter_map(|r| r.1).collect();
        let stage = |f: fn(&Timings) -> Duration| median(stages.iter().map(f).collect());
        Builds {
            wall: median(runs.iter().map(|r| r.0).collect()),
            stages: Timings {
                markdown: stage(|t| t.markdown),
                fonts: stage(|t| t.fonts),
                typst: stage(|t| t.typst),
                pdf: stage(|t| t.pdf),
                paper: stage(|t| t.paper),
            },
            rss_kib: runs.iter().map(|r| r.2).max().unwrap_or(0),
        }
    }
}

struct Cold {
    /// With an empty fit cache: every slide fitted by searching.
    fresh: Builds,
    /// With the fit cache of a previous build of the same deck.
    cached: Builds,
    plain: Builds,
}

/// Removes a fit cache and the formatted citations kept beside it.
fn forget(fits: &Path) {
    let _ = std::fs::remove_file(fits);
    let _ = std::fs::remove_file(lectern::citecache::beside(fits));
}

/// Cold builds of `deck`, alternating run for run: lectern with an empty fit cache,
/// lectern with the fit cache a previous build left, and the plain-Typst baseline.
fn cold_builds(deck: &Path, out: &Path, runs: usize) -> Cold {
    let mut plain = Vec::new();
    let (fresh, cached) = fresh_and_cached(deck, out, runs, |empty| {
        plain.push(cold_build(deck, &out.with_extension("plain.pdf"), Some(PLAIN), empty));
    });
    Cold { fresh, cached, plain: Builds::of(plain) }
}

/// Cold lectern builds of `deck`, alternating run for run: with an empty fit cache and
/// with the fit cache a previous build left; `beside(empty fit cache)` runs after each pair.
fn fresh_and_cached(deck: &Path, out: &Path, runs: usize, mut beside: impl FnMut(&Path)) -> (Builds, Builds) {
    let dir = out.parent().unwrap();
    let empty = dir.join("fits-empty.json");
    let filled = dir.join("fits-filled.json");
    forget(&filled);
    cold_build(deck, out, None, &filled);
    assert!(filled.is_file(), "the build wrote no fit cache");
    let (mut fresh, mut cached) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        forget(&empty);
        fresh.push(cold_build(deck, out, None, &empty));
        cached.push(cold_build(deck, out, None, &filled));
        beside(&empty);
    }
    (Builds::of(fresh), Builds::of(cached))
}

/// Rebuilds after alternating a word on one slide, as watch mode makes them: the medians
/// of the rebuild (its PDF written without the tag tree) and of writing that PDF again with
/// it (which watch mode does once the deck is quiet, before the next edit).
fn warm_rebuilds(deck: &Path, runs: usize) -> (Duration, Duration) {
    let original = std::fs::read_to_string(deck).unwrap();
    let marker = original.rfind("\n- ").expect("a bullet to edit") + 3;
    let request = BuildRequest {
        deck: deck.to_path_buf(),
        output: Some(deck.with_extension("pdf")),
        draft_pdf: true,
        ..Default::default()
    };
    let mut builder = Builder::new();
    builder.build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
    builder.finish_pdf();
    let (mut rebuilds, mut finishes) = (Vec::new(), Vec::new());
    for i in 0..runs {
        let word = if i % 2 == 0 { "変更" } else { "編集" };
        let mut text = original.clone();
        text.insert_str(marker, word);
        std::fs::write(deck, text).unwrap();
        let start = Instant::now();
        builder.build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
        rebuilds.push(start.elapsed());
        // Watch mode finishes a second later, when the rebuild's trimming of Typst's cache
        // (on a thread of its own) is long done.
        std::thread::sleep(Duration::from_millis(100));
        let start = Instant::now();
        builder.finish_pdf().expect("a draft").unwrap_or_else(|e| panic!("{e:?}"));
        finishes.push(start.elapsed());
    }
    std::fs::write(deck, original).unwrap();
    (median(rebuilds), median(finishes))
}

/// A deck of `target` slides: the example's title, agenda and sources slides around its
/// slides repeated in order (ids suffixed to stay unique). A slide of the example may
/// make more than one (continued tables, pauses), so the count is checked with a build
/// and the deck made again with that many headings fewer.
fn deck_of(dir: &Path, target: usize) -> (PathBuf, usize) {
    let path = dir.join(format!("bench-{target}.md"));
    let mut headings = target.saturating_sub(3).max(1);
    write_deck(&path, headings);
    let mut slides = slide_count(&path);
    for _ in 0..3 {
        if slides == target {
            break;
        }
        headings = (headings + target).saturating_sub(slides).max(1);
        write_deck(&path, headings);
        slides = slide_count(&path);
    }
    (path, slides)
}

/// The example's front matter and notes around `headings` of its slides, repeated.
fn write_deck(path: &Path, headings: usize) {
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    let (front, body) = example.strip_prefix("---\n").and_then(|r| r.split_once("\n---\n")).unwrap();
    let (slides, notes) = body.split_at(body.find("\n[^").unwrap_or(body.len()));
    // Each chunk starts at a heading that opens a slide (`# ` section, `## ` slide).
    let mut chunks: Vec<&str> = Vec::new();
    let mut start = 0;
    for (at, _) in slides.match_indices('\n') {
        let rest = &slides[at + 1..];
        if (rest.starts_with("# ") || rest.starts_with("## ")) && at > start {
            chunks.push(&slides[start..at + 1]);
            start = at + 1;
        }
    }
    chunks.push(&slides[start..]);
    chunks.retain(|c| c.trim_start().starts_with('#'));
    let mut text = format!("---\n{front}\n---\n");
    for i in 0..headings {
        let chunk = chunks[i % chunks.len()];
        text.push_str(&chunk.replace("{#", &format!("{{#r{}-", i / chunks.len())));
        text.push('\n');
    }
    text.push_str(notes);
    std::fs::write(path, text).unwrap();
}

/// Slides of a deck, as a build reports them (`deck.pdf: 30 slides, …`). In a child
/// process, so that this process stays small: a child's peak memory counts what it
/// inherits from the fork.
fn slide_count(deck: &Path) -> usize {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
    command.arg("build").arg(deck).arg("-o").arg(deck.with_extension("pdf"));
    let (_, stdout, _, _) = run(&mut command);
    let count = stdout.split(": ").nth(1).and_then(|r| r.split(' ').next()).and_then(|n| n.parse().ok());
    count.unwrap_or_else(|| panic!("no slide count in {stdout:?}"))
}

/// In-process, fresh World each run, alternating: the whole lectern build, and its
/// emitted Typst compiled and exported alone.
fn in_process(deck: &Path, runs: usize) -> (Duration, Duration) {
    let typ = deck.with_extension("typ");
    let request = BuildRequest {
        deck: deck.to_path_buf(),
        output: Some(deck.with_extension("pdf")),
        typst_output: Some(typ.clone()),
        no_fit_cache: true,
        // As `lectern build`: no rebuild follows.
        once: true,
        ..Default::default()
    };
    Builder::new().build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
    let text = std::fs::read_to_string(&typ).unwrap();
    let root = std::env::current_dir().unwrap();
    // The theme and the files served besides the root (bibliography, images) of this deck.
    let compiled = Builder::new()
        .compile(&request, &mut Sources::default())
        .unwrap_or_else(|_| panic!("{} compiles", deck.display()));
    let (mut full, mut alone) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        // An empty memo cache: what a fresh process has (fonts and statics stay loaded).
        typst::comemo::evict(0);
        let start = Instant::now();
        Builder::new().build(&request).unwrap();
        full.push(start.elapsed());
        typst::comemo::evict(0);
        let start = Instant::now();
        let mut world = lectern::world::LecternWorld::new(&root, &[], typst_kit::datetime::Time::system());
        world.prepare("/decks/bench.lectern.typ", text.clone(), compiled.overlays.clone(), compiled.theme.clone());
        let (doc, _) = lectern::compile::compile(&world, &Default::default(), &mut Sources::default(), false);
        let doc = doc.expect("emitted Typst compiles");
        lectern::compile::export_pdf(&doc, "bench", true).unwrap();
        alone.push(start.elapsed());
    }
    (median(full), median(alone))
}

fn main() {
    // `cargo bench` passes --bench; run from the crate root so paths resolve.
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    // The fit cache of the watch-mode rebuilds (c) and of the builds that count slides:
    // the bench's own, not the user's.
    let fit_cache = tempfile::tempdir().unwrap();
    // SAFETY: no other thread runs yet.
    unsafe { std::env::set_var("LECTERN_FIT_CACHE", fit_cache.path().join("fits.json")) };
    let load_before = load_average();
    // Work on copies inside the project root (figures resolve from decks/).
    let work = Path::new("target/bench");
    std::fs::create_dir_all(work.join("decks")).unwrap();
    std::fs::copy("decks/sources.yml", work.join("decks/sources.yml")).unwrap();
    std::fs::create_dir_all(work.join("figures")).unwrap();
    for entry in std::fs::read_dir("figures").unwrap().flatten() {
        std::fs::copy(entry.path(), work.join("figures").join(entry.file_name())).unwrap();
    }
    // Everything in child processes first, smallest deck first (see `slide_count`).
    let (decks, slides): (Vec<PathBuf>, Vec<usize>) =
        [30, 120, 370].iter().map(|&n| deck_of(&work.join("decks"), n)).unzip();
    let tmp = tempfile::tempdir().unwrap();
    let cold: Vec<Cold> = decks
        .iter()
        .zip([15, 9, 5])
        .map(|(deck, runs)| {
            let out = tmp.path().join(deck.file_name().unwrap()).with_extension("pdf");
            cold_builds(deck, &out, runs)
        })
        .collect();
    let warm: Vec<(Duration, Duration)> =
        decks.iter().zip([21, 11, 7]).map(|(d, runs)| warm_rebuilds(d, runs)).collect();
    let (full, alone) = in_process(&decks[0], 7);
    let starter = starter_builds(tmp.path(), 15);
    let load_after = load_average();

    let per_slide = |a: Duration, b: Duration| {
        format!("{:.1} ms", (b.as_secs_f64() - a.as_secs_f64()) * 1000.0 / (slides[1] - slides[0]) as f64)
    };
    let ratio = |a: Duration, b: Duration| format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("lectern benchmark: {cores} cores, medians; load average {load_before} before, {load_after} after");
    println!("| measure | {} slides | {} slides | {} slides |", slides[0], slides[1], slides[2]);
    println!("|---|---:|---:|---:|");
    let row = |name: &str, f: &dyn Fn(&Cold) -> String| {
        println!("| {name} | {} | {} | {} |", f(&cold[0]), f(&cold[1]), f(&cold[2]));
    };
    row("(a) cold `lectern build` (new process), empty fit cache", &|c| ms(c.fresh.wall));
    row("(a) cold `lectern build` (new process), fit cache of a previous build", &|c| ms(c.cached.wall));
    row("(a) Typst alone: same deck as plain Typst, same run", &|c| ms(c.plain.wall));
    row("(a) ratio lectern / Typst alone, empty fit cache", &|c| ratio(c.fresh.wall, c.plain.wall));
    row("(a) ratio lectern / Typst alone, fit cache", &|c| ratio(c.cached.wall, c.plain.wall));
    println!(
        "| (b) marginal cost of a slide, lectern (empty fit cache / fit cache) / Typst alone | {} / {} / {} | | |",
        per_slide(cold[0].fresh.wall, cold[1].fresh.wall),
        per_slide(cold[0].cached.wall, cold[1].cached.wall),
        per_slide(cold[0].plain.wall, cold[1].plain.wall)
    );
    println!(
        "| (c) edit → new PDF on disk, same World (watch) | {} | {} | {} |",
        ms(warm[0].0),
        ms(warm[1].0),
        ms(warm[2].0)
    );
    println!(
        "| (c) …then that PDF with its tag tree, once the deck is quiet | {} | {} | {} |",
        ms(warm[0].1),
        ms(warm[1].1),
        ms(warm[2].1)
    );
    row("(d) cold build: Markdown stages (parse → emit)", &|c| ms(c.fresh.stages.markdown));
    row("(d) cold build: fonts", &|c| ms(c.fresh.stages.fonts));
    row("(d) cold build: Typst layout, empty fit cache", &|c| ms(c.fresh.stages.typst));
    row("(d) cold build: Typst layout, fit cache", &|c| ms(c.cached.stages.typst));
    row("(d) cold build: PDF export", &|c| ms(c.fresh.stages.pdf));
    println!("| (e) in-process, fresh World, empty memo cache: lectern | {} | | |", ms(full));
    println!("| (e) in-process, fresh World: the .typ `--typst` writes, alone (no probe copies) | {} | | |", ms(alone));
    println!("| (e) ratio | {} | | |", ratio(full, alone));
    row("(f) peak memory (max RSS), cold build, empty fit cache", &|c| format!("{} MB", c.fresh.rss_kib / 1024));
    row("(f) peak memory (max RSS), cold build, fit cache", &|c| format!("{} MB", c.cached.rss_kib / 1024));
    row("(f) the same, Typst alone (plain Typst)", &|c| format!("{} MB", c.plain.rss_kib / 1024));
    println!(
        "| (g) cold build of the starter deck `lectern new` writes ({} slides, a code block), empty fit cache / fit cache | {} / {} | | |",
        starter.2,
        ms(starter.0.wall),
        ms(starter.1.wall)
    );
}

/// Cold builds of the starter deck (a first user's first build): with an empty fit cache
/// and with the one a previous build left, and its slide count.
fn starter_builds(dir: &Path, runs: usize) -> (Builds, Builds, usize) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
    command.current_dir(dir).args(["new", "starter"]);
    run(&mut command);
    let deck = dir.join("starter/starter.md");
    let (fresh, cached) = fresh_and_cached(&deck, &deck.with_extension("pdf"), runs, |_| {});
    (fresh, cached, slide_count(&deck))
}
