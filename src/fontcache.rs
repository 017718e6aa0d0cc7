//! A persistent index of the font faces in the font folders, so that a process does not
//! parse every installed face to learn its family, style and coverage (60–100 ms with a
//! CJK font set). The index lives in the user's cache folder
//! (`$XDG_CACHE_HOME/lectern/fonts-v2.bin`, else `~/.cache/lectern/…`; binary, as a JSON
//! index took ~6 ms to read), one entry per
//! font file keyed on its path, size and modification time; a file whose size or time
//! changed, or that is new, is parsed again, and a folder is walked on every run so
//! added and removed files are seen. A missing, unreadable, corrupt or older-format
//! cache is ignored and rewritten (never an error); it is replaced atomically, and
//! `LECTERN_NO_FONT_CACHE=1` turns it off. Face data is loaded only when Typst asks for the
//! face (typst-kit's lazy font slots), by mapping the file ([`FontFile`]). The faces of the
//! fonts built into lectern (typst-kit's) are kept there too, for the binary that parsed
//! them ([`EmbeddedFont`]).

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use typst::foundations::Bytes;
use typst::text::{Coverage, Font, FontAxis, FontFlags, FontInfo, FontVariant};
use typst_kit::fonts::FontSource;

/// The cache's file name; the format number changes when the layout does.
pub const FILE_NAME: &str = "fonts-v2.bin";
const FORMAT: u32 = 2;
/// Folders remembered besides the current run's (other decks' theme fonts, other
/// `--font-path` folders), most recent first.
const KEEP_FOLDERS: usize = 32;

#[derive(Serialize, Deserialize)]
struct Index {
    format: u32,
    folders: Vec<Folder>,
    /// The faces of the fonts built into the binary that wrote the index.
    embedded: Option<Embedded>,
}

/// The faces of the fonts typst-kit builds into lectern (Typst's defaults: the math and
/// code fonts): parsing them took ~10 ms a process.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
struct Embedded {
    /// The binary's identity ([`crate::fitcache::program_stamp`]): its fonts cannot change
    /// without it.
    program: u128,
    /// Each face: its font among `typst_assets::fonts()`, its index there, its face info.
    faces: Vec<(usize, u32, Face)>,
}

/// A face as the index stores it: every field of its info in order (Typst's own serde form
/// leaves out empty `axes`, which a format without field names cannot read back).
#[derive(Clone, PartialEq)]
struct Face(FontInfo);

impl Serialize for Face {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let info = &self.0;
        (&info.family, &info.variant, &info.flags, &info.axes, &info.coverage).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Face {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (family, variant, flags, axes, coverage): (String, FontVariant, FontFlags, Vec<FontAxis>, Coverage) =
            Deserialize::deserialize(deserializer)?;
        Ok(Face(FontInfo { family, variant, flags, axes, coverage }))
    }
}

/// The faces a World offers, built-in fonts first.
pub struct Faces {
    pub embedded: Vec<(EmbeddedFont, FontInfo)>,
    pub files: Vec<(FontFile, FontInfo)>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Folder {
    path: PathBuf,
    files: Vec<FileEntry>,
}

/// Seconds and nanoseconds since the Unix epoch; `None` (no time known) never matches.
type Mtime = Option<(u64, u32)>;

#[derive(Serialize, Deserialize, Clone, PartialEq)]
struct FileEntry {
    path: PathBuf,
    size: u64,
    mtime: Mtime,
    faces: Vec<(u32, Face)>,
}

/// Where the cache lives, or `None` when it is disabled or there is no cache folder.
pub fn cache_path() -> Option<PathBuf> {
    if std::env::var_os("LECTERN_NO_FONT_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
        return None;
    }
    Some(cache_folder()?.join(FILE_NAME))
}

/// lectern's folder in the user's cache folder: `$XDG_CACHE_HOME/lectern`, else
/// `~/.cache/lectern` (the font index and downloaded images live there).
pub fn cache_folder() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?).join(".cache"),
    };
    Some(base.join("lectern"))
}

/// The system's font folders, found as fontdb (and so typst-kit) finds them on Linux
/// and the BSDs: fontconfig's `<dir>` entries, else the usual folders. `None` on other
/// systems, where typst-kit's own scan is used.
#[cfg(all(unix, not(any(target_os = "macos", target_os = "android"))))]
pub fn system_folders() -> Option<Vec<PathBuf>> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut config = fontconfig_parser::FontConfig::default();
    if let Some(file) = std::env::var_os("FONTCONFIG_FILE") {
        let _ = config.merge_config(Path::new(&file));
    } else {
        let config_home = match std::env::var_os("XDG_CONFIG_HOME") {
            Some(dir) => Some(PathBuf::from(dir)),
            None => home.as_ref().map(|h| h.join(".config")),
        };
        let read_global = match config_home {
            Some(dir) => config.merge_config(&dir.join("fontconfig/fonts.conf")).is_err(),
            None => true,
        };
        if read_global {
            let _ = config.merge_config(Path::new("/etc/fonts/local.conf"));
        }
        let _ = config.merge_config(Path::new("/etc/fonts/fonts.conf"));
    }
    let mut folders: Vec<PathBuf> = config
        .dirs
        .into_iter()
        .filter_map(|dir| match dir.path.strip_prefix("~") {
            Ok(rest) => Some(home.as_ref()?.join(rest)),
            Err(_) => Some(dir.path),
        })
        .collect();
    if folders.is_empty() {
        folders = vec![PathBuf::from("/usr/share/fonts/"), PathBuf::from("/usr/local/share/fonts/")];
        if let Some(home) = &home {
            folders.push(home.join(".fonts"));
            folders.push(home.join(".local/share/fonts"));
        }
    }
    Some(folders)
}

#[cfg(not(all(unix, not(any(target_os = "macos", target_os = "android")))))]
pub fn system_folders() -> Option<Vec<PathBuf>> {
    None
}

/// The built-in faces and every face in `folders` (searched recursively, in order; a file
/// reached twice through links counts once), from the cache at `cache` where a file is
/// unchanged (and for the built-in fonts, where the binary is), parsed otherwise. The
/// cache is rewritten when anything differed from it.
pub fn faces(folders: &[PathBuf], cache: Option<&Path>) -> Faces {
    let old = cache.and_then(read_index);
    let program = crate::fitcache::program_stamp();
    let embedded = match old.as_ref().and_then(|index| index.embedded.as_ref()) {
        Some(known) if known.program == program => known.clone(),
        _ => Embedded { program, faces: parse_embedded() },
    };
    let known: HashMap<&Path, &FileEntry> = old
        .iter()
        .flat_map(|index| &index.folders)
        .flat_map(|folder| &folder.files)
        .map(|entry| (entry.path.as_path(), entry))
        .collect();

    let mut seen = HashSet::new();
    let mut current: Vec<Folder> = Vec::new();
    for folder in folders {
        let mut files = Vec::new();
        walk(folder, &mut seen, &mut files);
        let files = files
            .into_par_iter()
            .map(|(path, size, mtime)| match known.get(path.as_path()) {
                Some(entry) if entry.size == size && mtime.is_some() && entry.mtime == mtime => (*entry).clone(),
                _ => {
                    let faces = parse(&path);
                    FileEntry { path, size, mtime, faces }
                }
            })
            .collect();
        current.push(Folder { path: folder.clone(), files });
    }

    if let Some(cache) = cache {
        let unchanged = old.as_ref().is_some_and(|index| {
            index.embedded.as_ref() == Some(&embedded)
                && current
                    .iter()
                    .all(|folder| index.folders.iter().any(|f| f.path == folder.path && f.files == folder.files))
        });
        if !unchanged {
            let mut folders = current.clone();
            if let Some(index) = old {
                let others =
                    index.folders.into_iter().filter(|f| !current.iter().any(|c| c.path == f.path) && f.path.is_dir());
                folders.extend(others.take(KEEP_FOLDERS));
            }
            write_index(cache, &Index { format: FORMAT, folders, embedded: Some(embedded.clone()) });
        }
    }

    let fonts: Vec<&'static [u8]> = typst_assets::fonts().collect();
    Faces {
        embedded: embedded
            .faces
            .into_iter()
            .filter_map(|(font, index, face)| Some((EmbeddedFont { data: fonts.get(font)?, index }, face.0)))
            .collect(),
        files: current
            .into_iter()
            .flat_map(|folder| folder.files)
            .flat_map(|entry| {
                let path = entry.path;
                entry.faces.into_iter().map(move |(index, face)| (FontFile { path: path.clone(), index }, face.0))
            })
            .collect(),
    }
}

/// The faces of the built-in fonts, parsed.
fn parse_embedded() -> Vec<(usize, u32, Face)> {
    typst_assets::fonts()
        .enumerate()
        .flat_map(|(font, data)| parse_faces(data).into_iter().map(move |(index, face)| (font, index, face)))
        .collect()
}

/// A face of a font built into lectern, loaded when a compile first uses it.
pub struct EmbeddedFont {
    data: &'static [u8],
    index: u32,
}

impl FontSource for EmbeddedFont {
    fn load(&self) -> Option<Font> {
        Font::new(Bytes::new(self.data), self.index)
    }
}

/// A face of a font file on disk (from the index, or found by typst-kit), loaded when a
/// compile first uses it. On Unix the file is mapped rather than read: a CJK collection
/// is ~20 MB, which takes ~18 ms to read and ~0.1 ms to map (Typst then reads what it
/// needs, and hashes the data once). On other systems, where a mapped file cannot be
/// replaced while lectern runs, it is read.
pub struct FontFile {
    pub path: PathBuf,
    pub index: u32,
}

impl From<typst_kit::fonts::FontPath> for FontFile {
    fn from(font: typst_kit::fonts::FontPath) -> FontFile {
        FontFile { path: font.path, index: font.index }
    }
}

impl FontSource for FontFile {
    fn load(&self) -> Option<Font> {
        let _scope = typst_timing::TimingScope::new("load font");
        Font::new(file_data(&self.path)?, self.index)
    }
}

/// The data of a font file, one `Bytes` for all of its faces while the file is unchanged
/// on disk. Typst hashes a font's data (the whole file) once per `Bytes`: Noto Sans CJK
/// keeps its sans and mono faces in one 20 MB file, and a code slide's mono face would
/// hash it again (~50 million instructions).
fn file_data(path: &Path) -> Option<Bytes> {
    type Files = HashMap<PathBuf, ((u64, Option<std::time::SystemTime>), Bytes)>;
    static FILES: std::sync::Mutex<Option<Files>> = std::sync::Mutex::new(None);
    let file = fs::File::open(path).ok()?;
    let meta = file.metadata().ok()?;
    let stamp = (meta.len(), meta.modified().ok());
    let mut files = FILES.lock().unwrap_or_else(|e| e.into_inner());
    let files = files.get_or_insert_with(HashMap::new);
    if let Some((known, data)) = files.get(path)
        && *known == stamp
    {
        return Some(data.clone());
    }
    // SAFETY: only read. A font file replaced on disk (as package upgrades do: a new file
    // renamed over the old) keeps the old data mapped; one truncated in place while
    // lectern runs ends the process with SIGBUS, as with fontdb.
    #[cfg(unix)]
    let data = Bytes::new(unsafe { memmap2::Mmap::map(&file) }.ok()?);
    #[cfg(not(unix))]
    let data = Bytes::new(fs::read(path).ok()?);
    files.insert(path.to_path_buf(), (stamp, data.clone()));
    Some(data)
}

/// How many faces the index at `path` holds (font folders and built-in fonts); `None` when
/// it is missing, corrupt or of another format.
pub fn indexed_faces(path: &Path) -> Option<usize> {
    let index = read_index(path)?;
    let files = index.folders.iter().flat_map(|f| &f.files).map(|e| e.faces.len()).sum::<usize>();
    Some(files + index.embedded.map_or(0, |e| e.faces.len()))
}

fn read_index(path: &Path) -> Option<Index> {
    let bytes = fs::read(path).ok()?;
    let index: Index = postcard::from_bytes(&bytes).ok()?;
    (index.format == FORMAT).then_some(index)
}

/// Writes the index to a temporary file beside the cache and renames it into place, so a
/// reader never sees half a file; any failure leaves the cache as it was.
fn write_index(path: &Path, index: &Index) {
    let Some(dir) = path.parent() else { return };
    let write = || -> std::io::Result<()> {
        fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new().prefix(".fonts-").suffix(".tmp").tempfile_in(dir)?;
        tmp.write_all(&postcard::to_allocvec(index).map_err(std::io::Error::other)?)?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    };
    let _ = write();
}

/// Font files under `dir` (as fontdb finds them: the font extensions, symbolic links
/// followed), sorted by name within each folder, with their size and modification time.
fn walk(dir: &Path, seen: &mut HashSet<PathBuf>, out: &mut Vec<(PathBuf, u64, Mtime)>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        // Follows links; a broken link or a file that vanished is skipped.
        let Ok(meta) = fs::metadata(&path) else { continue };
        let key = if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            match fs::canonicalize(&path) {
                Ok(canon) => canon,
                Err(_) => continue,
            }
        } else {
            path.clone()
        };
        if !seen.insert(key) {
            continue;
        }
        if meta.is_dir() {
            walk(&path, seen, out);
        } else if meta.is_file() && is_font_file(&path) {
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| (d.as_secs(), d.subsec_nanos()));
            out.push((path, meta.len(), mtime));
        }
    }
}

fn is_font_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("ttf" | "ttc" | "TTF" | "TTC" | "otf" | "otc" | "OTF" | "OTC")
    )
}

/// The faces of one font file or collection; none when it cannot be read or parsed.
fn parse(path: &Path) -> Vec<(u32, Face)> {
    let Ok(file) = fs::File::open(path) else { return Vec::new() };
    // Mapped, not read: the index needs a few tables of each face, not a CJK font's
    // 20 MB of outlines. SAFETY: as in fontdb (which typst-kit maps fonts with), the file
    // is only read here; if another process truncates it meanwhile the parse may see
    // garbage, which ttf-parser rejects, or the process gets SIGBUS, as typst-kit would.
    let Ok(data) = (unsafe { memmap2::Mmap::map(&file) }) else { return Vec::new() };
    parse_faces(&data)
}

/// The faces of a font file's data. A collection's header counts them, 4 bytes of offset
/// each: a count the data has no room for is a broken file (ttf-parser would panic on it),
/// with no faces. A face that panics the parser is skipped rather than ending the build.
fn parse_faces(data: &[u8]) -> Vec<(u32, Face)> {
    let count = match data.get(..12) {
        Some(head) if head.starts_with(b"ttcf") => {
            let count = u32::from_be_bytes([head[8], head[9], head[10], head[11]]);
            if 12 + 4 * count as u64 > data.len() as u64 {
                return Vec::new();
            }
            count
        }
        _ => 1,
    };
    (0..count)
        .filter_map(|index| {
            let info = std::panic::catch_unwind(|| FontInfo::new(data, index)).ok()??;
            Some((index, Face(info)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two of the fonts typst-kit embeds, of different families and file sizes.
    fn two_fonts() -> [(String, Vec<u8>); 2] {
        let mut fonts: Vec<(String, Vec<u8>)> = Vec::new();
        for (font, info) in typst_kit::fonts::embedded() {
            if font.index() == 0 && !fonts.iter().any(|(f, _)| *f == info.family) {
                fonts.push((info.family.clone(), font.data().to_vec()));
            }
        }
        let a = fonts.remove(0);
        let b = fonts.into_iter().find(|(_, d)| d.len() != a.1.len()).expect("a second embedded font");
        [a, b]
    }

    fn families(folder: &Path, cache: &Path) -> Vec<String> {
        faces(std::slice::from_ref(&folder.to_path_buf()), Some(cache))
            .files
            .into_iter()
            .map(|(_, info)| info.family)
            .collect()
    }

    /// Renames every face of the cache, so a test can tell a face read from the cache
    /// from one parsed again.
    fn rename_cached_faces(cache: &Path, family: &str) {
        let mut index: Index = postcard::from_bytes(&fs::read(cache).unwrap()).unwrap();
        for entry in index.folders.iter_mut().flat_map(|f| f.files.iter_mut()) {
            for (_, face) in &mut entry.faces {
                face.0.family = family.to_string();
            }
        }
        fs::write(cache, postcard::to_allocvec(&index).unwrap()).unwrap();
    }

    #[test]
    fn unchanged_files_come_from_the_cache_and_a_changed_folder_is_read_again() {
        let [(a_family, a), (b_family, b)] = two_fonts();
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("fonts");
        fs::create_dir(&folder).unwrap();
        let cache = tmp.path().join("cache").join(FILE_NAME);
        fs::write(folder.join("a.otf"), &a).unwrap();

        assert_eq!(families(&folder, &cache), [a_family.as_str()]);
        assert!(cache.is_file(), "the first run writes the cache");

        // Same file, same size and time: the cached face is used, not the file parsed.
        rename_cached_faces(&cache, "From The Cache");
        assert_eq!(families(&folder, &cache), ["From The Cache"]);

        // A new file in the folder is found and parsed; the unchanged one stays cached.
        fs::write(folder.join("b.otf"), &b).unwrap();
        assert_eq!(families(&folder, &cache), ["From The Cache", b_family.as_str()]);

        // A file rewritten with other contents (another size) is parsed again.
        fs::write(folder.join("a.otf"), &b).unwrap();
        assert_eq!(families(&folder, &cache), [b_family.as_str(), b_family.as_str()]);

        // A removed file is gone, and a removed folder has no faces.
        fs::remove_file(folder.join("b.otf")).unwrap();
        assert_eq!(families(&folder, &cache), [b_family.as_str()]);
        fs::remove_dir_all(&folder).unwrap();
        assert!(families(&folder, &cache).is_empty());
        assert_ne!(a_family, b_family);
    }

    #[test]
    fn a_corrupt_or_foreign_cache_is_ignored_and_rewritten() {
        let [(a_family, a), _] = two_fonts();
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("fonts");
        fs::create_dir(&folder).unwrap();
        fs::write(folder.join("a.ttf"), &a).unwrap();
        let cache = tmp.path().join(FILE_NAME);
        families(&folder, &cache);
        let good = fs::read(&cache).unwrap();

        let mut other_format: Index = postcard::from_bytes(&good).unwrap();
        other_format.format = 99;
        let other_format = postcard::to_allocvec(&other_format).unwrap();
        for bad in [b"\x00\xffnot an index".to_vec(), good[..good.len() / 2].to_vec(), other_format] {
            fs::write(&cache, &bad).unwrap();
            assert_eq!(families(&folder, &cache), [a_family.as_str()]);
            assert!(read_index(&cache).is_some(), "the bad cache is replaced by a good one");
        }

        // A cache that cannot be written (its folder is a file) is no error either.
        let blocked = tmp.path().join("a-file").join(FILE_NAME);
        fs::write(tmp.path().join("a-file"), "").unwrap();
        assert_eq!(families(&folder, &blocked), [a_family.as_str()]);
        // Nor is no cache at all.
        let faces = faces(std::slice::from_ref(&folder), None).files;
        assert_eq!(faces.len(), 1);
        assert_eq!(faces[0].0.path, folder.join("a.ttf"));
    }

    #[test]
    fn built_in_faces_come_from_the_cache_of_the_same_binary() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = tmp.path().join(FILE_NAME);
        let families = |faces: &Faces| faces.embedded.iter().map(|(_, info)| info.family.clone()).collect::<Vec<_>>();
        let parsed = faces(&[], Some(&cache));
        let built_in: Vec<String> = typst_kit::fonts::embedded().map(|(_, info)| info.family).collect();
        assert_eq!(families(&parsed), built_in, "the same faces, in the same order, as typst-kit's");
        let loaded = parsed.embedded[0].0.load().expect("a built-in face loads");
        assert_eq!(loaded.info().family, built_in[0]);

        // Kept for this binary: read back, not parsed again.
        let mut index: Index = postcard::from_bytes(&fs::read(&cache).unwrap()).unwrap();
        let embedded = index.embedded.as_mut().unwrap();
        for (_, _, face) in &mut embedded.faces {
            face.0.family = "From The Cache".into();
        }
        fs::write(&cache, postcard::to_allocvec(&index).unwrap()).unwrap();
        assert!(families(&faces(&[], Some(&cache))).iter().all(|f| f == "From The Cache"));

        // Written by another binary: parsed again.
        index.embedded.as_mut().unwrap().program ^= 1;
        fs::write(&cache, postcard::to_allocvec(&index).unwrap()).unwrap();
        assert_eq!(families(&faces(&[], Some(&cache))), built_in);
    }

    #[test]
    fn a_font_file_that_does_not_parse_has_no_faces() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("broken.ttc"), b"ttcf\x00\x01\x00\x00\xff\xff\xff\xffgarbage").unwrap();
        fs::write(tmp.path().join("empty.otf"), b"").unwrap();
        fs::write(tmp.path().join("notes.txt"), b"not a font").unwrap();
        assert!(faces(&[tmp.path().to_path_buf()], Some(&tmp.path().join("c.json"))).files.is_empty());
    }
}
