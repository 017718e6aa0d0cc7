//! `cargo bench`: where lectern's time and memory go, printed as a table.
//!
//! (a) cold `lectern build` of the example deck (a fresh process each run),
//! (b) warm rebuild after a one-word edit, same World (what watch mode does),
//! (c) the same on a ~300-slide deck made from the examples,
//! (d) the split between Markdown stages, Typst layout and PDF export,
//! (e) lectern vs compiling its emitted Typst alone with the same fonts,
//! (f) peak memory (max RSS) of a cold build.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use lectern::diag::Sources;
use lectern::pipeline::{BuildRequest, Builder};

const EXAMPLE: &str = "decks/cyber-bill-2025.md";

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Max RSS (KiB) of the largest child process waited for so far.
fn children_max_rss_kib() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss
}

fn cold_builds(root: &Path, deck: &str, out: &Path, runs: usize) -> (Duration, i64) {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let status = Command::new(env!("CARGO_BIN_EXE_lectern"))
            .args(["build", deck, "-o"])
            .arg(out)
            .current_dir(root)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run lectern");
        samples.push(start.elapsed());
        assert!(status.success(), "cold build failed");
    }
    (median(samples), children_max_rss_kib())
}

/// Rebuilds after alternating a word on one slide; returns the median and timings.
fn warm_rebuilds(deck: &Path, runs: usize) -> (Duration, lectern::pipeline::Timings, usize) {
    let original = std::fs::read_to_string(deck).unwrap();
    let marker = original.rfind("\n- ").expect("a bullet to edit") + 3;
    let request =
        BuildRequest { deck: deck.to_path_buf(), output: Some(deck.with_extension("pdf")), ..Default::default() };
    let mut builder = Builder::new();
    let first = builder.build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
    let mut samples = Vec::new();
    let mut timings = Vec::new();
    for i in 0..runs {
        let word = if i % 2 == 0 { "変更" } else { "編集" };
        let mut text = original.clone();
        text.insert_str(marker, word);
        std::fs::write(deck, text).unwrap();
        let start = Instant::now();
        let report = builder.build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
        samples.push(start.elapsed());
        timings.push(report.timings);
    }
    std::fs::write(deck, original).unwrap();
    let mid = timings[timings.len() / 2];
    (median(samples), mid, first.slides)
}

/// A ~300-slide deck: the example's slides repeated (ids stay unique by suffixing).
fn big_deck(dir: &Path) -> PathBuf {
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    let (front, body) = example.strip_prefix("---\n").and_then(|r| r.split_once("\n---\n")).unwrap();
    let (slides, notes) = body.split_at(body.find("\n[^").unwrap_or(body.len()));
    let mut text = format!("---\n{front}\n---\n");
    for i in 0..10 {
        text.push_str(&slides.replace("{#", &format!("{{#r{i}-")));
    }
    text.push_str(notes);
    let path = dir.join("big.md");
    std::fs::write(&path, text).unwrap();
    path
}

/// Compiles the emitted Typst alone (no Markdown stages) in a fresh World.
fn typst_only(deck: &Path, runs: usize) -> Duration {
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
    let theme = lectern::themes::resolve("seminar", &root, &mut Sources::default()).unwrap();
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut world = lectern::world::LecternWorld::new(&root, &[], typst_kit::datetime::Time::system());
        world.prepare("/decks/bench.lectern.typ", text.clone(), Default::default(), theme.clone());
        let (doc, _) = lectern::compile::compile(&world, &Default::default(), &mut Sources::default());
        let doc = doc.expect("emitted Typst compiles");
        lectern::compile::export_pdf(&doc, "bench").unwrap();
        samples.push(start.elapsed());
    }
    median(samples)
}

fn main() {
    // `cargo bench` passes --bench; run from the crate root so paths resolve.
    std::env::set_current_dir(env!("CARGO_MANIFEST_DIR")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(".");

    let (cold, rss) = cold_builds(root, EXAMPLE, &tmp.path().join("cold.pdf"), 7);
    let small = tmp.path().join("decks");
    std::fs::create_dir_all(&small).unwrap();
    // Work on copies inside the project root (figures resolve from decks/).
    let work = Path::new("target/bench");
    std::fs::create_dir_all(work.join("decks")).unwrap();
    let deck = work.join("decks/cyber-bill-2025.md");
    std::fs::copy(EXAMPLE, &deck).unwrap();
    std::fs::copy("decks/sources.yml", work.join("decks/sources.yml")).unwrap();
    std::fs::create_dir_all(work.join("figures")).unwrap();
    for entry in std::fs::read_dir("figures").unwrap().flatten() {
        std::fs::copy(entry.path(), work.join("figures").join(entry.file_name())).unwrap();
    }
    let (warm, t, slides) = warm_rebuilds(&deck, 21);
    let big = big_deck(&work.join("decks"));
    let (warm_big, t_big, big_slides) = warm_rebuilds(&big, 11);
    let (cold_big, rss_big) = cold_builds(root, big.to_str().unwrap(), &tmp.path().join("big.pdf"), 3);
    let alone = typst_only(&deck, 7);
    let full = {
        let mut samples = Vec::new();
        for _ in 0..7 {
            let request =
                BuildRequest { deck: deck.clone(), output: Some(deck.with_extension("pdf")), ..Default::default() };
            let start = Instant::now();
            Builder::new().build(&request).unwrap();
            samples.push(start.elapsed());
        }
        median(samples)
    };

    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("lectern benchmark ({cores} cores; medians)");
    println!("| measure | {slides}-slide example | {big_slides}-slide deck |");
    println!("|---|---:|---:|");
    println!("| (a) cold `lectern build` (new process) | {} | {} |", ms(cold), ms(cold_big));
    println!("| (b, c) edit → new PDF on disk, same World | {} | {} |", ms(warm), ms(warm_big));
    println!("| (d) of which Markdown stages (parse → emit) | {} | {} |", ms(t.markdown), ms(t_big.markdown));
    println!("| (d) of which Typst layout | {} | {} |", ms(t.typst), ms(t_big.typst));
    println!("| (d) of which PDF export | {} | {} |", ms(t.pdf), ms(t_big.pdf));
    println!("| (e) in-process build, fresh World: lectern | {} | |", ms(full));
    println!("| (e) in-process build, fresh World: emitted .typ alone | {} | |", ms(alone));
    println!("| (f) peak memory (max RSS), cold build | {} MB | {} MB |", rss / 1024, rss_big / 1024);
}
