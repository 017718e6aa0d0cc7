//! Property test of hostile input (issue 14): random Markdown, front matter, bibliography
//! entries and file names, plus the committed corpus in tests/corpus/. For every input:
//! - lectern exits 0 or 1 (never a crash, never a hang);
//! - it writes nothing but the requested output;
//! - no message names a Typst-internal path (`__lectern__/…`);
//! - nothing is read that the deck only names in text (a secret file stays unread);
//! - every author field appears literally in the PDF, or the build failed with an error
//!   located in a file the author wrote.
//!
//! The budget is fixed: the corpus, then random cases from a fixed seed until 40 cases or
//! 45 seconds (whichever first). `LECTERN_PROPTEST_SEED=n` and `LECTERN_PROPTEST_CASES=n`
//! explore further; a failing case prints its seed and writes its deck for the corpus.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{pages, squash, tempdir, write};

const SECRET: &str = "SECRET-d41d8";

/// Text fragments that have broken Typst generators, Markdown parsers or YAML readers.
const HOSTILE: &[&str] = &[
    "#read(\"secret.txt\")",
    "$#read(\"secret.txt\")$",
    "#{read(\"secret.txt\")}",
    "\\",
    "\"",
    "]",
    "[",
    "*",
    "_",
    "`",
    "<!--",
    "-->",
    "#",
    "{",
    "}",
    "@key",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "$x$",
    "//",
    "/*",
    "通信の秘密",
    "サイバー",
    "100%",
    "a & b",
    "=",
    "~",
    "<",
    ">",
    "'",
    "{title}",
    "\u{1b}[2J",
];

/// Pieces of a deck body.
const BLOCKS: &[&str] = &[
    "## Title {FRAG}\n\ntext {FRAG}\n",
    "- {FRAG}\n  - nested {FRAG}\n",
    "> quote {FRAG}\n> — who\n",
    "| a | b |\n|---|---|\n| {FRAG} | 1 |\n",
    "```\n{FRAG}\n```\n",
    "$x^2 + {FRAG}$\n",
    "![{FRAG}](missing.png)\n",
    "[link {FRAG}](javascript:alert(1))\n",
    "[web](https://example.org/{FRAG})\n",
    "<!-- pause -->\n",
    "<!-- {FRAG} -->\n",
    "text[^n]\n\n[^n]: note {FRAG}\n",
    "<!-- include: other{FRAG}.md -->\n",
    "```chart\ntype: bar\nrows:\n  - [\"{FRAG}\", 3]\n  - [b, 1e308]\n```\n",
    "```flow\nA -> B: {FRAG}\n```\n",
    "---\n",
    "<!-- layout: statement -->\n",
    "Claim [@r].\n",
    "{FRAG}{FRAG}{FRAG}\n",
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*: small, deterministic, good enough to pick fragments.
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
    fn fragment(&mut self) -> String {
        (0..1 + self.below(3)).map(|_| self.pick(HOSTILE)).collect::<Vec<_>>().join(" ")
    }
}

struct Case {
    name: String,
    deck: String,
    bibliography: Option<String>,
    /// Author fields whose text must appear literally in the PDF.
    fields: Vec<String>,
}

fn random_case(rng: &mut Rng) -> Case {
    let short = |rng: &mut Rng| {
        let mut s = rng.fragment();
        s.truncate(s.char_indices().nth(30).map_or(s.len(), |(i, _)| i));
        s.trim().to_string()
    };
    let title = format!("T {}", short(rng));
    let author = format!("A {}", short(rng));
    let mut fm = serde_yaml::Mapping::new();
    fm.insert("title".into(), title.clone().into());
    fm.insert("author".into(), author.clone().into());
    fm.insert("footer".into(), short(rng).into());
    let bibliography = (rng.below(2) == 0).then(|| {
        let mut entry = serde_yaml::Mapping::new();
        entry.insert("type".into(), "report".into());
        entry.insert("title".into(), format!("Report {}", short(rng)).into());
        entry.insert("publisher".into(), short(rng).into());
        let mut lib = serde_yaml::Mapping::new();
        lib.insert("r".into(), entry.into());
        serde_yaml::to_string(&lib).unwrap()
    });
    if bibliography.is_some() {
        fm.insert("bibliography".into(), "refs.yml".into());
    }
    let mut deck = format!("---\n{}---\n\n## Start\n\nhello\n\n", serde_yaml::to_string(&fm).unwrap());
    for _ in 0..rng.below(8) {
        let frag = rng.fragment();
        deck.push_str(&rng.pick(BLOCKS).replace("{FRAG}", &frag));
        deck.push('\n');
    }
    let separators = ["\n", "\u{2028}", "\u{85}", "\x0b", "\r", " ", "#", "\"", "$", "[", "-"];
    let name: String = (0..1 + rng.below(3))
        .map(|_| format!("{}{}", rng.pick(&separators), rng.pick(HOSTILE).replace('/', "")))
        .collect();
    Case { name: format!("d{name}.md"), deck, bibliography, fields: vec![title, author] }
}

fn corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir("tests/corpus").unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for path in files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "md")) {
        let deck = std::fs::read_to_string(&path).unwrap();
        let bib = path.with_extension("yml");
        cases.push(Case {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            deck,
            bibliography: bib.exists().then(|| std::fs::read_to_string(bib).unwrap()),
            fields: vec![],
        });
    }
    cases
}

fn listing(dir: &Path) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for entry in walk(dir) {
        out.insert(entry.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
    }
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out
}

/// Runs one case; `Err` says which property failed.
fn check(case: &Case) -> Result<bool, String> {
    let top = tempdir();
    let dir = top.path().join("root");
    std::fs::create_dir_all(&dir).unwrap();
    write(top.path(), "secret.txt", SECRET);
    // The secret is inside the root too, and linked: neither may be read.
    write(&dir, "secret.txt", SECRET);
    std::fs::write(dir.join(&case.name), &case.deck).map_err(|e| format!("cannot write the deck: {e}"))?;
    if let Some(bib) = &case.bibliography {
        write(&dir, "refs.yml", bib);
    }
    let before = listing(&dir);
    let deck_arg = format!("./{}", case.name);
    let mut child = common::lectern_command()
        .args(["build", &deck_arg, "-o", "out.pdf"])
        .current_dir(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            return Err("did not finish within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    let status = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    if status != 0 && status != 1 {
        return Err(format!("exit status {status}:\n{stderr}"));
    }
    if stderr.contains("__lectern__") {
        return Err(format!("a Typst-internal path in a message:\n{stderr}"));
    }
    let mut after = listing(&dir);
    if status == 0 && !after.remove("out.pdf") {
        return Err("exit 0 but no out.pdf".into());
    }
    if after != before {
        return Err(format!("files changed besides out.pdf: {:?}", after.symmetric_difference(&before)));
    }
    if status == 1 {
        // Located: codespan's `┌─ file:line:col` names the deck (or another file of the
        // author's), never the generated Typst.
        let located = stderr.lines().any(|l| l.trim_start().starts_with("┌─") && !l.contains(".lectern.typ"));
        return if located { Ok(false) } else { Err(format!("failed without a located error:\n{stderr}")) };
    }
    let text = pages(&dir.join("out.pdf")).join("\n");
    if text.contains(SECRET) {
        return Err("the secret file was read into the PDF".into());
    }
    // Control and bidi format characters are not drawn, so no PDF text can hold them.
    let visible = |t: &str| -> String {
        squash(t)
            .chars()
            .filter(|&c| {
                !c.is_control()
                    && !matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
            .collect()
    };
    let squashed = visible(&text);
    for field in &case.fields {
        if !squashed.contains(&visible(field)) {
            return Err(format!("author field {field:?} is not in the PDF text:\n{text}"));
        }
    }
    Ok(true)
}

#[test]
fn hostile_input_is_data() {
    let mut failures = Vec::new();
    let (mut runs, mut built) = (0, 0);
    for case in corpus() {
        runs += 1;
        match check(&case) {
            Ok(ok) => built += usize::from(ok),
            Err(e) => failures.push(format!("corpus {}: {e}", case.name)),
        }
    }
    let seed: u64 = std::env::var("LECTERN_PROPTEST_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x1ec7e5);
    let cases: usize = std::env::var("LECTERN_PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(40);
    let started = Instant::now();
    for i in 0..cases {
        if i >= 10
            && started.elapsed() > Duration::from_secs(45)
            && std::env::var_os("LECTERN_PROPTEST_CASES").is_none()
        {
            break;
        }
        let case_seed = seed.wrapping_add(i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let case = random_case(&mut Rng(case_seed));
        runs += 1;
        let result = check(&case);
        built += usize::from(result == Ok(true));
        if let Err(e) = result {
            let saved = std::env::temp_dir().join(format!("lectern-failing-{case_seed}.md"));
            let _ = std::fs::write(&saved, &case.deck);
            failures.push(format!("seed {case_seed} (deck {:?}, saved to {}): {e}", case.name, saved.display()));
        }
    }
    eprintln!("{runs} inputs: {built} built, {} failed with a located error", runs - built - failures.len());
    assert!(failures.is_empty(), "{} failing cases:\n\n{}", failures.len(), failures.join("\n\n"));
}
