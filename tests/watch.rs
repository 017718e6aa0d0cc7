//! `lectern watch` as a speaker uses it: edit, save by rename, break, fix, stop.
//! Timeouts are generous: speed is the benchmark's job, not the tests'.

mod common;

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use lectern::pipeline::{BuildRequest, Builder};

fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < Duration::from_secs(30), "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn pdf_text(pdf: &Path) -> String {
    if !pdf.exists() {
        return String::new();
    }
    common::squash(&common::pages(pdf).join(""))
}

#[test]
fn rebuilds_on_edit_rename_and_fix_and_stops_on_sigterm() {
    let dir = common::tempdir();
    let deck = common::write(dir.path(), "deck.md", "## Watch\n\nfirst version\n");
    let pdf = dir.path().join("deck.pdf");
    let log = dir.path().join("watch.log");
    let mut child = common::spawn_watch(dir.path(), &log);
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();

    wait_until("the first build", || pdf_text(&pdf).contains("firstversion"));

    // A plain edit.
    std::fs::write(&deck, "## Watch\n\nsecond version\n").unwrap();
    wait_until("the edit to reach the PDF", || pdf_text(&pdf).contains("secondversion"));

    // Save by rename, as many editors do.
    std::fs::write(dir.path().join(".deck.md.swp"), "## Watch\n\nthird version\n").unwrap();
    std::fs::rename(dir.path().join(".deck.md.swp"), &deck).unwrap();
    wait_until("the renamed save to reach the PDF", || pdf_text(&pdf).contains("thirdversion"));

    // Once the deck is quiet, the rebuild's PDF is written again with its tag tree.
    wait_until("the PDF with its tag tree", || common::info_field(&pdf, "Tagged") == "yes");

    // A broken edit: the error is reported at the Markdown line, the good PDF stays.
    let good = std::fs::read(&pdf).unwrap();
    std::fs::write(&deck, "## Watch\n\nbroken[^missing]\n").unwrap();
    wait_until("the error report", || log_text().contains("deck.md:3:7"));
    assert!(log_text().contains("the last good PDF is kept"));
    assert_eq!(std::fs::read(&pdf).unwrap(), good, "the last good PDF was replaced");

    // The fix is picked up.
    std::fs::write(&deck, "## Watch\n\nfixed version\n").unwrap();
    wait_until("the fix to reach the PDF", || pdf_text(&pdf).contains("fixedversion"));

    // SIGTERM ends it cleanly.
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) }, 0);
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "watch did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "watch exited with {status}");
    let mut rest = String::new();
    let _ = std::fs::File::open(&log).unwrap().read_to_string(&mut rest);
    assert!(rest.contains("stopped"), "{rest}");
    // Stopped before the deck was quiet for long, or after: the PDF left is tagged.
    assert_eq!(common::info_field(&pdf, "Tagged"), "yes");
}

/// Watch mode writes a rebuild's PDF first without its tag tree (the structure screen
/// readers use; a third of the export's time), then, once the deck is quiet, the same PDF
/// with it: what `lectern build` writes, byte for byte.
#[test]
fn a_rebuilds_draft_pdf_becomes_the_pdf_a_build_writes() {
    let dir = common::tempdir();
    let deck = common::write(dir.path(), "deck.md", "---\ntitle: 下書き\n---\n\n## 一枚目\n\n- 本文の行\n");
    let request = BuildRequest { deck: deck.clone(), draft_pdf: true, no_fit_cache: true, ..Default::default() };
    let mut builder = Builder::new();
    let report = builder.build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(common::info_field(&report.output, "Tagged"), "no");
    let draft_pages = common::pages(&report.output);
    assert!(common::squash(&draft_pages.join("")).contains("本文の行"), "{draft_pages:?}");

    let finished = builder.finish_pdf().expect("a draft to finish").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(finished, report.output);
    assert_eq!(common::info_field(&finished, "Tagged"), "yes");
    assert_eq!(common::pages(&finished), draft_pages);
    assert!(builder.finish_pdf().is_none(), "a draft finished twice");

    let built = common::lectern(dir.path(), &["build", "deck.md", "-o", "built.pdf"]);
    assert_eq!(built.status, 0, "{}", built.stderr);
    assert!(std::fs::read(dir.path().join("built.pdf")).unwrap() == std::fs::read(&finished).unwrap());

    // A draft, then a build that fails: the draft on disk is what is finished.
    let next = "---\ntitle: 下書き\n---\n\n## 二枚目\n\n- 次の版\n";
    std::fs::write(&deck, next).unwrap();
    builder.build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
    let good = common::pages(&report.output);
    std::fs::write(&deck, "---\ntitle: 下書き\n---\n\n## 二枚目\n\n- 壊れた[^missing]\n").unwrap();
    assert!(builder.build(&request).is_err(), "a footnote without its text fails");
    builder.finish_pdf().expect("the draft before the failure").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(common::info_field(&report.output, "Tagged"), "yes");
    assert_eq!(common::pages(&report.output), good);
    assert!(common::squash(&good.join("")).contains("次の版"), "{good:?}");

    // A build that also writes a handout (which shows the deck's PDF) writes no draft.
    std::fs::write(&deck, next).unwrap();
    let with_handout =
        BuildRequest { outputs: lectern::outputs::RequestedOutputs { handout: true, ..Default::default() }, ..request };
    let report = builder.build(&with_handout).unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(common::info_field(&report.output, "Tagged"), "yes");
    assert!(builder.finish_pdf().is_none(), "a tagged PDF finished again");
}

/// Rebuilds in one World (each slide is a file of its own to Typst there): after an edit of
/// one slide, a slide added and slides removed, the PDF is what a fresh build writes, and an
/// error in a later slide is reported at its Markdown line.
#[test]
fn rebuilds_after_editing_adding_and_removing_slides_match_fresh_builds() {
    let dir = common::tempdir();
    let slides = |texts: &[&str]| -> String {
        let mut deck = String::from("---\ntitle: 分割\n---\n");
        for (i, text) in texts.iter().enumerate() {
            deck.push_str(&format!("\n## スライド{}\n\n- {text}\n", i + 1));
        }
        deck
    };
    let deck = common::write(dir.path(), "deck.md", &slides(&["一", "二", "三", "四"]));
    let request = BuildRequest { deck: deck.clone(), no_fit_cache: true, ..Default::default() };
    let mut builder = Builder::new();
    builder.build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
    for texts in [&["一", "二", "三を書き換えた", "四"][..], &["一", "二", "三", "四", "五"], &["一", "二"]]
    {
        std::fs::write(&deck, slides(texts)).unwrap();
        let report = builder.build(&request).unwrap_or_else(|e| panic!("{}", e.render()));
        let fresh = common::lectern(dir.path(), &["build", "deck.md", "--no-fit-cache", "-o", "fresh.pdf"]);
        assert_eq!(fresh.status, 0, "{}", fresh.stderr);
        let rebuilt = std::fs::read(&report.output).unwrap();
        assert!(rebuilt == std::fs::read(dir.path().join("fresh.pdf")).unwrap(), "{texts:?}: the PDFs differ");
        let text = common::squash(&common::pages(&report.output).join(""));
        assert!(texts.iter().all(|t| text.contains(t)), "{texts:?} not all in {text}");
    }
    std::fs::write(&deck, slides(&["一", "二", "壊れた $nosuchfn(x)$ 式"])).unwrap();
    let error = builder.build(&request).expect_err("an unknown function in math fails").render();
    assert!(error.contains("deck.md:15:7") && error.contains("unknown variable: nosuchfn"), "{error}");
}

#[test]
fn serve_shows_the_slides_on_localhost_and_reloads() {
    use std::io::Write;
    let dir = common::tempdir();
    let deck = common::write(dir.path(), "deck.md", "## Preview\n\nfirst text\n");
    let port = 20000 + (std::process::id() % 20000) as u16;
    let mut child = common::spawn_serve(dir.path(), port);
    let get = || -> String {
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = write!(stream, "GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        let mut body = String::new();
        let _ = stream.read_to_string(&mut body);
        body
    };
    wait_until("the preview page", || get().contains("<svg"));
    // Glyphs are paths in SVG, so wait for the page to change rather than for the text.
    let first = get();
    std::fs::write(&deck, "## Preview\n\nsecond text\n").unwrap();
    wait_until("the preview to change", || get() != first);
    assert!(get().contains("<svg"));
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let _ = child.wait();
}
