//! A persistent cache of the theme's fitting searches, so a later build (a new process)
//! does not lay a slide out at several text sizes again to find the one that fits.
//!
//! The theme records the outcome of each search as a `metadata` labelled `<lectern-hint>`
//! (`kind`: "table" for a data table, any other name for a search done once a page, such
//! as "body", "title" or "notes" in the seminar theme; `value`: numbers, lengths, ratios
//! and booleans). After a successful compile they are read back per page and stored in
//! the user's cache folder (`$XDG_CACHE_HOME/lectern/fits-v1.json`, else
//! `~/.cache/lectern/…`), keyed by everything that decides them: lectern's binary, the
//! fonts, the generated Typst before the first slide (theme settings, page size, deck
//! options), the slide's own generated Typst, and the contents of every file the compile
//! read (theme files, images: a manifest of digests, checked against the
//! files as they are now). On a later build the emitter passes the stored outcomes back:
//! a slide function gets `hint: (kind: value, ..)` for its page, a data table its own
//! value as `hint:`; the theme uses them without measuring. The pages are the same,
//! without the layouts the searches took.
//!
//! Only a call the theme recorded a hint for ever receives one, so a theme that knows
//! nothing of hints is never passed the argument. A missing, unreadable, corrupt or
//! older-format cache is ignored (never an error); it is replaced atomically,
//! `LECTERN_FIT_CACHE=FILE` puts it elsewhere, and `LECTERN_NO_FIT_CACHE=1` (or
//! `--no-fit-cache`) turns it off. Formatted citations are kept beside it, and off with
//! it (see [`crate::citecache`]).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::hash::Hash;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use siphasher::sip128::{Hasher128, SipHasher13};
use typst::foundations::{Label, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use crate::model::Deck;

/// The cache's file name; the format number changes when the layout does.
pub const FILE_NAME: &str = "fits-v1.json";
const FORMAT: u32 = 1;
/// Slides remembered (over all decks), most recently stored first.
const KEEP_ENTRIES: usize = 3_000;

/// Where the cache lives (`LECTERN_FIT_CACHE=FILE` puts it elsewhere), or `None` when it
/// is disabled or there is no cache folder.
pub fn cache_path() -> Option<PathBuf> {
    if std::env::var_os("LECTERN_NO_FIT_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
        return None;
    }
    match std::env::var_os("LECTERN_FIT_CACHE").filter(|p| !p.is_empty()) {
        Some(file) => Some(PathBuf::from(file)),
        None => Some(crate::fontcache::cache_folder()?.join(FILE_NAME)),
    }
}

/// A 128-bit digest, stable across processes (for keys that live on disk).
pub fn digest(value: &impl Hash) -> u128 {
    let mut hasher = SipHasher13::new();
    value.hash(&mut hasher);
    hasher.finish128().as_u128()
}

/// One recorded outcome, as the theme made it. Floats are kept as their bits, so the
/// theme gets back exactly the number it computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Hint {
    None,
    Bool(bool),
    Int(i64),
    Float(u64),
    /// Points and ems, as bits.
    Length(u64, u64),
    Ratio(u64),
    Array(Vec<Hint>),
    Dict(Vec<(String, Hint)>),
}

impl Hint {
    /// The value as a hint, or `None` when it holds anything but numbers, lengths,
    /// booleans and collections of them (such a value is not cached).
    fn from_value(value: &Value) -> Option<Hint> {
        Some(match value {
            Value::None => Hint::None,
            Value::Bool(b) => Hint::Bool(*b),
            Value::Int(i) => Hint::Int(*i),
            Value::Float(f) => Hint::Float(f.to_bits()),
            Value::Length(l) => Hint::Length(l.abs.to_pt().to_bits(), l.em.get().to_bits()),
            Value::Ratio(r) => Hint::Ratio(r.get().to_bits()),
            Value::Array(items) => Hint::Array(items.iter().map(Hint::from_value).collect::<Option<_>>()?),
            Value::Dict(dict) => Hint::Dict(
                dict.iter().map(|(k, v)| Some((k.to_string(), Hint::from_value(v)?))).collect::<Option<_>>()?,
            ),
            _ => return None,
        })
    }

    /// Typst code that evaluates to exactly this value (dictionary keys are string
    /// literals, numbers are written with every digit they need).
    pub fn write_typst(&self, out: &mut String) {
        match self {
            Hint::None => out.push_str("none"),
            Hint::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Hint::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Hint::Float(bits) => out.push_str(&float(*bits)),
            Hint::Length(pt, em) => {
                let _ = write!(out, "({} * 1pt + {} * 1em)", float(*pt), float(*em));
            }
            Hint::Ratio(bits) => {
                let _ = write!(out, "({} * 100%)", float(*bits));
            }
            Hint::Array(items) => {
                out.push('(');
                for item in items {
                    item.write_typst(out);
                    out.push_str(", ");
                }
                out.push(')');
            }
            Hint::Dict(entries) => {
                out.push('(');
                for (key, value) in entries {
                    let _ = write!(out, "{}: ", crate::emit::lit(key));
                    value.write_typst(out);
                    out.push_str(", ");
                }
                if entries.is_empty() {
                    out.push(':');
                }
                out.push(')');
            }
        }
    }
}

/// A float literal Typst reads back to the same bits (Rust's shortest round-trip
/// digits, never an exponent, always with a point so it stays a float).
fn float(bits: u64) -> String {
    let f = f64::from_bits(bits);
    if !f.is_finite() {
        return if f.is_nan() {
            "float.nan".into()
        } else if f > 0.0 {
            "float.inf".into()
        } else {
            "-float.inf".into()
        };
    }
    let s = format!("{f}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// The hints of one call of a slide function (one page): its searches done once a page
/// (kind, value), and in order each data table's (`None` where the table did not search).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CallHints {
    pub page: Vec<(String, Hint)>,
    pub tables: Vec<Option<Hint>>,
}

impl CallHints {
    /// The slide function's `hint:` argument, when there is one.
    pub fn page_hint(&self) -> Option<Hint> {
        (!self.page.is_empty()).then(|| Hint::Dict(self.page.clone()))
    }
}

/// A slide's hints, one entry per page (per `<!-- pause -->` step).
pub type SlideHints = Vec<CallHints>;

/// The hints the theme recorded, per slide (index 0 = slide 1; `None` where there were
/// none, or where they do not match the calls the emitter made: `table_calls` counts the
/// data tables of each call).
pub fn recorded(document: &PagedDocument, deck: &Deck, table_calls: &[Vec<usize>]) -> Vec<Option<SlideHints>> {
    let mut hints: Vec<Option<SlideHints>> =
        table_calls.iter().map(|calls| Some(vec![CallHints::default(); calls.len()])).collect();
    let Some(label) = Label::new(PicoStr::intern("lectern-hint")) else { return vec![None; hints.len()] };
    let introspector = document.introspector();
    let pages = crate::pages::page_list(deck);
    for content in introspector.query(&Selector::Label(label)) {
        let (Some(location), Some(meta)) = (content.location(), content.to_packed::<MetadataElem>()) else {
            continue;
        };
        let Some(page) = introspector.page(location).map(|p| p.get()) else { continue };
        let Some(slide) = pages.iter().find(|s| s.pages.contains(&page)) else { continue };
        let step = page - slide.pages[0];
        let Some(slot) = hints.get_mut(slide.slide - 1) else { continue };
        let accepted = slot.as_mut().and_then(|calls| {
            let call = calls.get_mut(step)?;
            let Value::Dict(dict) = &meta.value else { return None };
            let value = Hint::from_value(dict.get("value").ok()?)?;
            let Value::Str(kind) = dict.get("kind").ok()? else { return None };
            if kind.as_str() == "table" {
                call.tables.push((value != Hint::None).then_some(value));
            } else if call.page.iter().any(|(k, _)| k == kind.as_str()) {
                // Twice on a page: which call would get which is unknown.
                return None;
            } else if value != Hint::None {
                call.page.push((kind.to_string(), value));
            }
            Some(())
        });
        if accepted.is_none() {
            *slot = None;
        }
    }
    for (slot, calls) in hints.iter_mut().zip(table_calls) {
        let matches = slot.as_ref().is_some_and(|got| {
            got.iter().zip(calls).all(|(call, &tables)| call.tables.len() == tables)
                && got.iter().any(|call| !call.page.is_empty() || call.tables.iter().any(Option::is_some))
        });
        if !matches {
            *slot = None;
        }
    }
    hints
}

#[derive(Default, Serialize, Deserialize)]
struct Store {
    format: u32,
    /// Counts the builds that stored something: newer entries are kept first.
    generation: u64,
    /// The files a compile read: (virtual path, digest of its bytes), by manifest id.
    manifests: Vec<(String, Vec<(String, String)>)>,
    entries: Vec<Entry>,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    /// Digest of the slide's key (binary, fonts, document set-up, slide code).
    slide: String,
    /// The manifest of the files the compile that recorded it read.
    manifest: String,
    generation: u64,
    hints: SlideHints,
}

/// The cache, read once; [`FitCache::save`] writes it back when it changed.
pub struct FitCache {
    path: Option<PathBuf>,
    store: Store,
    changed: bool,
    /// Manifests already checked against the files as they are now.
    checked: HashMap<String, bool>,
}

/// A key as it is stored.
pub(crate) fn hex(value: u128) -> String {
    format!("{value:032x}")
}

impl FitCache {
    /// The cache at `path` (`None`: a cache that remembers nothing).
    pub fn open(path: Option<PathBuf>) -> FitCache {
        let store = path
            .as_deref()
            .and_then(|p| fs::read(p).ok())
            .and_then(|bytes| serde_json::from_slice::<Store>(&bytes).ok())
            .filter(|store| store.format == FORMAT)
            .unwrap_or(Store { format: FORMAT, ..Store::default() });
        FitCache { path, store, changed: false, checked: HashMap::new() }
    }

    pub fn enabled(&self) -> bool {
        self.path.is_some()
    }

    /// The stored hints of each slide key, where the files the recording compile read
    /// are unchanged (`file_digest` gives a file's digest as it is now, `None` when it
    /// cannot be read).
    pub fn lookup(&mut self, keys: &[u128], file_digest: impl Fn(&str) -> Option<u128>) -> Vec<Option<SlideHints>> {
        let wanted: HashSet<String> = keys.iter().map(|k| hex(*k)).collect();
        let mut found: HashMap<&str, &Entry> = HashMap::new();
        for entry in &self.store.entries {
            if !wanted.contains(&entry.slide) {
                continue;
            }
            let valid = *self.checked.entry(entry.manifest.clone()).or_insert_with(|| {
                self.store.manifests.iter().find(|(id, _)| *id == entry.manifest).is_some_and(|(_, files)| {
                    files.iter().all(|(vpath, want)| file_digest(vpath).is_some_and(|d| hex(d) == *want))
                })
            });
            if valid {
                let newest = found.get(entry.slide.as_str()).is_none_or(|e| e.generation < entry.generation);
                if newest {
                    found.insert(&entry.slide, entry);
                }
            }
        }
        keys.iter().map(|k| found.get(hex(*k).as_str()).map(|e| e.hints.clone())).collect()
    }

    /// Remembers the hints of the slides with these keys, recorded by a compile that
    /// read `files` (virtual path, digest); returns how many slides were new.
    pub fn store(&mut self, keys: &[u128], hints: &[Option<SlideHints>], files: &[(String, u128)]) -> usize {
        let files: Vec<(String, String)> = files.iter().map(|(p, d)| (p.clone(), hex(*d))).collect();
        let manifest = hex(digest(&files));
        let mut added = 0;
        // The entries of this manifest by slide, looked up per slide rather than scanned
        // (a deck of hundreds of slides against a cache of thousands of entries).
        let mut of_manifest: HashMap<String, usize> = (self.store.entries.iter().enumerate())
            .filter(|(_, e)| e.manifest == manifest)
            .map(|(i, e)| (e.slide.clone(), i))
            .collect();
        for (key, hints) in keys.iter().zip(hints) {
            let Some(hints) = hints else { continue };
            let slide = hex(*key);
            let found = of_manifest.get(&slide).copied();
            if found.is_some_and(|i| self.store.entries[i].hints == *hints) {
                continue;
            }
            let generation = self.store.generation + 1;
            let entry = Entry { slide: slide.clone(), manifest: manifest.clone(), generation, hints: hints.clone() };
            match found {
                Some(i) => self.store.entries[i] = entry,
                None => {
                    of_manifest.insert(slide, self.store.entries.len());
                    self.store.entries.push(entry);
                }
            }
            added += 1;
        }
        if added == 0 {
            return 0;
        }
        self.store.generation += 1;
        if !self.store.manifests.iter().any(|(id, _)| *id == manifest) {
            self.store.manifests.push((manifest.clone(), files));
        }
        self.checked.insert(manifest, true);
        if self.store.entries.len() > KEEP_ENTRIES {
            self.store.entries.sort_by_key(|e| std::cmp::Reverse(e.generation));
            self.store.entries.truncate(KEEP_ENTRIES);
        }
        let used: HashSet<&str> = self.store.entries.iter().map(|e| e.manifest.as_str()).collect();
        self.store.manifests.retain(|(id, _)| used.contains(id.as_str()));
        self.changed = true;
        added
    }

    /// Writes the cache when something was stored, to a temporary file beside it that is
    /// then renamed into place (a reader never sees half a file); a failure leaves the
    /// cache as it was.
    pub fn save(&mut self) {
        let Some(path) = self.path.as_deref().filter(|_| self.changed) else { return };
        if write_atomically(path, &self.store).is_ok() {
            self.changed = false;
        }
    }
}

/// Writes `value` as JSON to a temporary file beside `path`, then renames it into place
/// (a reader never sees half a file).
pub(crate) fn write_atomically(path: &Path, value: &impl Serialize) -> std::io::Result<()> {
    let dir = path.parent().ok_or_else(|| std::io::Error::other("no folder"))?;
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new().prefix(".fits-").suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(&serde_json::to_vec(value).map_err(std::io::Error::other)?)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Whether a Typst file read by the compile may lay a slide out by what the rest of the
/// document holds (page or heading counters, state, queries): then a slide's own code
/// does not decide its layout, and nothing of the build is cached. The seminar theme and
/// lectern's chart library use none of these.
pub fn introspects(vpath: &str, bytes: &[u8]) -> bool {
    const TOKENS: [&str; 6] = ["counter(", "counter.", "state(", "query(", "locate(", "here()"];
    vpath.ends_with(".typ") && {
        let text = String::from_utf8_lossy(bytes);
        TOKENS.iter().any(|token| text.contains(token))
    }
}

/// What identifies the program that lays out: lectern's version and its executable (a
/// rebuilt binary may carry another theme or another Typst).
/// Read once a process: the program running does not change, whatever happens to its file.
pub fn program_stamp() -> u128 {
    static STAMP: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    *STAMP.get_or_init(|| {
        let exe = std::env::current_exe().ok().and_then(|p| {
            let meta = fs::metadata(&p).ok()?;
            Some((p, meta.len(), meta.modified().ok()))
        });
        digest(&(env!("CARGO_PKG_VERSION"), exe))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_is_written_as_typst_that_reads_back_to_the_same_bits() {
        let third = 1.0f64 / 3.0;
        let hint = Hint::Dict(vec![
            ("f".into(), Hint::Float(third.to_bits())),
            ("extra".into(), Hint::Length(12.5f64.to_bits(), 0f64.to_bits())),
            ("shrink".into(), Hint::None),
            ("tiny".into(), Hint::Float(1e-9f64.to_bits())),
            ("whole".into(), Hint::Float(2f64.to_bits())),
        ]);
        let mut out = String::new();
        hint.write_typst(&mut out);
        assert_eq!(
            out,
            format!(
                "(\"f\": {third}, \"extra\": (12.5 * 1pt + 0.0 * 1em), \"shrink\": none, \"tiny\": 0.000000001, \"whole\": 2.0, )"
            )
        );
        assert_eq!(float(third.to_bits()).parse::<f64>().unwrap().to_bits(), third.to_bits());
    }

    #[test]
    fn stored_hints_come_back_only_while_the_files_are_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("c").join(FILE_NAME);
        let hints = vec![CallHints { page: vec![("body".into(), Hint::Float(0.75f64.to_bits()))], tables: vec![] }];
        let mut cache = FitCache::open(Some(path.clone()));
        cache.store(&[1, 2], &[Some(hints.clone()), None], &[("/a.png".into(), 7)]);
        cache.save();
        assert!(path.is_file());

        let mut again = FitCache::open(Some(path.clone()));
        assert_eq!(again.lookup(&[1, 2, 3], |_| Some(7)), vec![Some(hints.clone()), None, None]);
        let mut changed = FitCache::open(Some(path.clone()));
        assert_eq!(changed.lookup(&[1], |_| Some(8)), vec![None], "a file changed since");
        let mut gone = FitCache::open(Some(path.clone()));
        assert_eq!(gone.lookup(&[1], |_| None), vec![None], "a file is gone");

        // The same hints again add nothing; new hints for a slide replace its entry.
        let mut cache = FitCache::open(Some(path.clone()));
        let files = [("/a.png".to_string(), 7)];
        assert_eq!(cache.store(&[1, 1], &[Some(hints.clone()), Some(hints.clone())], &files), 0);
        let other = vec![CallHints { page: vec![("body".into(), Hint::Float(0.5f64.to_bits()))], tables: vec![] }];
        assert_eq!(cache.store(&[1, 4], &[Some(other.clone()), Some(hints.clone())], &files), 2);
        assert_eq!(cache.lookup(&[1, 4], |_| Some(7)), vec![Some(other.clone()), Some(hints.clone())]);
        assert_eq!(cache.store.entries.iter().filter(|e| e.slide == hex(1)).count(), 1);

        // A corrupt or foreign cache is an empty one.
        for bad in [b"\x00not json".to_vec(), br#"{"format":99,"generation":1,"manifests":[],"entries":[]}"#.to_vec()] {
            fs::write(&path, bad).unwrap();
            assert_eq!(FitCache::open(Some(path.clone())).lookup(&[1], |_| Some(7)), vec![None]);
        }
    }
}
