//! `cargo bench`: where lectern's time and memory go, printed as a table.
//!
//! Decks of about 30, 120 and 370 slides are made from the example deck (its slides
//! repeated, ids suffixed). For each:
//! (a) cold `lectern build` (a fresh process each run), and beside it, run for run,
//!     the same deck set as plain Typst (`benches/plain`: each slide a page, Typst's own
//!     styling, no fitting), so the ratio between them holds whatever the load;
//! (b) the marginal cost of a slide, from the 30- and 120-slide decks;
//! (c) edit → new PDF on disk after a one-word edit, same World (what watch mode does);
//! (d) the split of a cold build between Markdown stages, fonts, Typst layout and PDF;
//! (e) in-process with a fresh World: lectern vs compiling its emitted Typst alone;
//! (f) peak memory (max RSS) of a cold build.

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

/// One cold build in a new process: wall time, the `LECTERN_TIMINGS` split, peak memory.
fn cold_build(deck: &Path, out: &Path, theme: Option<&str>) -> (Duration, Option<Timings>, i64) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
    command.arg("build").arg(deck).arg("-o").arg(out).env("LECTERN_TIMINGS", "1");
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

struct Cold {
    lectern: Duration,
    plain: Duration,
    /// Median of each stage over the lectern runs.
    stages: Timings,
    rss_kib: i64,
    plain_rss_kib: i64,
}

/// Cold builds of `deck`, alternating lectern and the plain-Typst baseline run for run.
fn cold_builds(deck: &Path, out: &Path, runs: usize) -> Cold {
    let (mut lectern, mut plain, mut stages) = (Vec::new(), Vec::new(), Vec::new());
    let (mut rss_kib, mut plain_rss_kib) = (0, 0);
    for _ in 0..runs {
        let (elapsed, timings, rss) = cold_build(deck, out, None);
        lectern.push(elapsed);
        stages.extend(timings);
        rss_kib = rss_kib.max(rss);
        let (elapsed, _, rss) = cold_build(deck, &out.with_extension("plain.pdf"), Some(PLAIN));
        plain.push(elapsed);
        plain_rss_kib = plain_rss_kib.max(rss);
    }
    let stage = |f: fn(&Timings) -> Duration| median(stages.iter().map(f).collect());
    let stages = Timings {
        markdown: stage(|t| t.markdown),
        fonts: stage(|t| t.fonts),
        typst: stage(|t| t.typst),
        pdf: stage(|t| t.pdf),
        paper: stage(|t| t.paper),
    };
    Cold { lectern: median(lectern), plain: median(plain), stages, rss_kib, plain_rss_kib }
}

/// Rebuilds after alternating a word on one slide; returns the median.
fn warm_rebuilds(deck: &Path, runs: usize) -> Duration {
    let original = std::fs::read_to_string(deck).unwrap();
    let marker = original.rfind("\n- ").expect("a bullet to edit") + 3;
    let request =
        BuildRequest { deck: deck.to_path_buf(), output: Some(deck.with_extension("pdf")), ..Default::default() };
    let mut builder = Builder::new();
    builder.build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
    let mut samples = Vec::new();
    for i in 0..runs {
        let word = if i % 2 == 0 { "変更" } else { "編集" };
        let mut text = original.clone();
        text.insert_str(marker, word);
        std::fs::write(deck, text).unwrap();
        let start = Instant::now();
        builder.build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
        samples.push(start.elapsed());
    }
    std::fs::write(deck, original).unwrap();
    median(samples)
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
        let (doc, _) = lectern::compile::compile(&world, &Default::default(), &mut Sources::default());
        let doc = doc.expect("emitted Typst compiles");
        lectern::compile::export_pdf(&doc, "bench").unwrap();
        alone.push(start.elapsed());
    }
    (median(full), median(alone))
}

fn main() {
    // `cargo bench` passes --bench; run from the crate root so paths resolve.
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
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
        .zip([9, 5, 3])
        .map(|(deck, runs)| {
            let out = tmp.path().join(deck.file_name().unwrap()).with_extension("pdf");
            cold_builds(deck, &out, runs)
        })
        .collect();
    let warm: Vec<Duration> = decks.iter().zip([21, 11, 7]).map(|(d, runs)| warm_rebuilds(d, runs)).collect();
    let (full, alone) = in_process(&decks[0], 7);
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
    row("(a) cold `lectern build` (new process)", &|c| ms(c.lectern));
    row("(a) Typst alone: same deck as plain Typst, same run", &|c| ms(c.plain));
    row("(a) ratio lectern / Typst alone", &|c| ratio(c.lectern, c.plain));
    println!(
        "| (b) marginal cost of a slide, lectern / Typst alone | {} / {} | | |",
        per_slide(cold[0].lectern, cold[1].lectern),
        per_slide(cold[0].plain, cold[1].plain)
    );
    println!(
        "| (c) edit → new PDF on disk, same World (watch) | {} | {} | {} |",
        ms(warm[0]),
        ms(warm[1]),
        ms(warm[2])
    );
    row("(d) cold build: Markdown stages (parse → emit)", &|c| ms(c.stages.markdown));
    row("(d) cold build: fonts", &|c| ms(c.stages.fonts));
    row("(d) cold build: Typst layout", &|c| ms(c.stages.typst));
    row("(d) cold build: PDF export", &|c| ms(c.stages.pdf));
    println!("| (e) in-process, fresh World, empty memo cache: lectern | {} | | |", ms(full));
    println!("| (e) in-process, fresh World: its emitted .typ alone | {} | | |", ms(alone));
    println!("| (e) ratio | {} | | |", ratio(full, alone));
    row("(f) peak memory (max RSS), cold build", &|c| format!("{} MB", c.rss_kib / 1024));
    row("(f) the same, Typst alone (plain Typst)", &|c| format!("{} MB", c.plain_rss_kib / 1024));
}
