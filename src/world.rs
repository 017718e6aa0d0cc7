//! The Typst World: one long-lived instance per process (kept across watch rebuilds so
//! comemo's caches pay off), built on typst-kit's FontStore and FileStore.

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::datetime::Time;
use typst_kit::files::{FileLoader, FileStore, FsRoot};
use typst_kit::fonts::{self, FontStore};

use crate::themes::Theme;
use crate::vpaths;

pub struct LecternWorld {
    library: LazyHash<Library>,
    /// Shared with a thread that loads the first faces early (see [`Self::load_fonts_early`]).
    fonts: std::sync::Arc<FontStore>,
    files: FileStore<Loader>,
    main: FileId,
    now: Time,
    /// Whether the compile asked for today's date (its layout then depends on the day).
    today_asked: std::sync::atomic::AtomicBool,
    /// Digest of the fonts (see [`LecternWorld::font_fingerprint`]), made when first asked.
    font_fingerprint: std::sync::OnceLock<u128>,
}

/// Serves the generated main file (and the files it is split into) from memory, the theme
/// and converted images from memory or the theme folder, and everything else from the
/// build root on disk.
pub struct Loader {
    root: FsRoot,
    main: FileId,
    main_text: String,
    /// Where the main file's own text ends in the deck's whole text when it is split (its
    /// `#include` lines follow); `None` when the main file is the whole text.
    main_own: Option<usize>,
    /// The files the deck's text is split into (see [`MainText`]).
    parts: HashMap<FileId, Part>,
    overlays: HashMap<FileId, Bytes>,
    theme: Option<Theme>,
}

/// The deck's generated Typst as the compile reads it. With `slides` (each slide's range
/// in `text`), the main file is what precedes the first slide (imports, the deck's
/// settings, the theme's show rule) followed by one `#include` per slide, and each slide
/// is a file of its own that imports a copy of that preamble. Typst evaluates a file as a
/// whole, and hashes its whole syntax tree, whenever it changes: an edit of one slide of a
/// 370-slide deck in one file had Typst evaluate and hash all of them again (~85 million
/// instructions of each watch rebuild, on one thread); split, only the edited slide's file
/// and the short main file are (each slide's import of the preamble costs a first build
/// ~0.1 million). The pages are the same.
pub struct MainText {
    pub text: String,
    pub slides: Vec<std::ops::Range<usize>>,
}

impl From<String> for MainText {
    /// One file.
    fn from(text: String) -> Self {
        MainText { text, slides: Vec::new() }
    }
}

/// A file of the split deck: `text` holds the deck's text from `deck_start` on, after
/// `prefix` bytes of its own (the preamble's import).
struct Part {
    text: Bytes,
    deck_start: usize,
    prefix: usize,
}

impl Loader {
    fn set_main_text(&mut self, main: MainText) {
        self.parts.clear();
        let MainText { text, slides } = main;
        // Each slide's file runs to the next slide's start, so the files cover the text.
        let starts: Vec<usize> = slides.iter().map(|r| r.start).chain([text.len()]).collect();
        let pieces: Option<Vec<&str>> = starts.windows(2).map(|w| text.get(w[0]..w[1])).collect();
        let (Some(pieces), Some(preamble)) = (pieces.filter(|p| !p.is_empty()), text.get(..starts[0])) else {
            // No slides (or ranges that are not of this text): one file.
            self.main_own = None;
            self.main_text = text;
            return;
        };
        let main_vpath = self.main.vpath().get_with_slash().to_string();
        let preamble_vpath = vpaths::deck_part(&main_vpath, "preamble");
        let import = format!("#import {}: *\n", crate::emit::lit(&preamble_vpath));
        let mut main_text = preamble.to_string();
        let preamble_part = Part { text: Bytes::from_string(preamble.to_string()), deck_start: 0, prefix: 0 };
        self.parts.insert(file_id(&preamble_vpath), preamble_part);
        for (n, (piece, start)) in pieces.iter().zip(&starts).enumerate() {
            let vpath = vpaths::deck_part(&main_vpath, &format!("slide-{}", n + 1));
            let _ = writeln!(main_text, "#include {}", crate::emit::lit(&vpath));
            let text = Bytes::from_string(format!("{import}{piece}"));
            let part = Part { text, deck_start: *start, prefix: import.len() };
            self.parts.insert(file_id(&vpath), part);
        }
        self.main_own = Some(preamble.len());
        self.main_text = main_text;
    }
}

pub fn file_id(vpath: &str) -> FileId {
    // File names are the author's: a backslash (legal on Unix) is not legal in Typst.
    let vpath = VirtualPath::new(vpath.replace('\\', "_"))
        .or_else(|_| VirtualPath::new(vpaths::UNNAMED))
        .expect("a plain absolute path is a valid virtual path");
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}

impl FileLoader for Loader {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main {
            return Ok(Bytes::from_string(self.main_text.clone()));
        }
        if let Some(part) = self.parts.get(&id) {
            return Ok(part.text.clone());
        }
        if let Some(bytes) = self.overlays.get(&id) {
            return Ok(bytes.clone());
        }
        if !matches!(id.root(), VirtualRoot::Project) {
            // No network and no package cache: themes and charts are lectern's own.
            return Err(FileError::Other(Some("Typst packages are not available in lectern".into())));
        }
        let path = id.vpath().get_with_slash();
        if let Some((_, data)) = crate::themes::LIB.iter().find(|(p, _)| *p == path) {
            return Ok(Bytes::new(*data));
        }
        if let Some(rest) = path.strip_prefix(vpaths::BUILTIN_THEMES) {
            let not_found = || FileError::NotFound(PathBuf::from(path));
            let (name, file) = rest.split_once('/').ok_or_else(not_found)?;
            return crate::themes::builtin(name).and_then(|b| b.file(file)).map(Bytes::new).ok_or_else(not_found);
        }
        if path.starts_with(vpaths::USER_THEMES) {
            let file = self.theme.as_ref().and_then(|t| t.folder_file(path));
            // A theme reads its own folder: a symbolic link in it may not lead elsewhere.
            let inside = |file: &Path| {
                self.theme.iter().flat_map(|t| &t.folders).any(|(_, dir)| crate::paths::inside_root(file, dir))
            };
            return match file {
                Some(file) if !inside(&file) => Err(FileError::Other(Some(
                    "the file lies outside its theme folder (through a symbolic link)".into(),
                ))),
                Some(file) => crate::limits::read_input(&file, &crate::limits::FILE_BYTES)
                    .map(Bytes::new)
                    .map_err(|e| FileError::from_io(e, &file)),
                None => Err(FileError::NotFound(PathBuf::from(path))),
            };
        }
        load_inside_root(&self.root, id.vpath())
    }
}

/// Reads a file of the build root for Typst (an SVG's linked image, a CSL style, a file a
/// theme reads): only a regular file, only inside the root even through symbolic links,
/// and only a raster image within the pixel limit.
fn load_inside_root(root: &FsRoot, vpath: &VirtualPath) -> FileResult<Bytes> {
    let path = root.resolve(vpath)?;
    if !crate::paths::inside_root(&path, root.path()) {
        return Err(FileError::Other(Some("the file lies outside the build root (through a symbolic link)".into())));
    }
    if path.is_dir() {
        return Err(FileError::IsDirectory);
    }
    let bytes =
        crate::limits::read_input(&path, &crate::limits::FILE_BYTES).map_err(|e| FileError::from_io(e, &path))?;
    if let Some(size) = crate::limits::oversized_image(&bytes) {
        let name = vpath.get_without_slash();
        let message =
            format!("{}; {}", crate::limits::image_pixels_message(name, size), crate::limits::IMAGE_PIXELS.hint());
        return Err(FileError::Other(Some(message.into())));
    }
    Ok(Bytes::new(bytes))
}

/// lectern's own Typst files (the built-in themes' and the chart library's), by path.
fn builtin_typst_files() -> impl Iterator<Item = (String, &'static [u8])> {
    let themes = crate::themes::BUILTIN.iter().flat_map(|theme| {
        theme.files.iter().map(move |(file, data)| (format!("{}{}/{file}", vpaths::BUILTIN_THEMES, theme.name), *data))
    });
    let libraries = crate::themes::LIB.iter().map(|(path, data)| (path.to_string(), *data));
    themes.chain(libraries).filter(|(path, _)| path.ends_with(".typ"))
}

/// lectern's own Typst files, parsed once a process (the same text always gives the same
/// parse, whichever World asks).
fn builtin_sources() -> &'static HashMap<FileId, Source> {
    static SOURCES: OnceLock<HashMap<FileId, Source>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        builtin_typst_files()
            .filter_map(|(path, data)| {
                let id = file_id(&path);
                let source = Source::new(id, std::str::from_utf8(data).ok()?.to_string());
                // Hashed here too (Typst's caches hash a source's whole syntax tree once a
                // process, ~24 million instructions for these), shared by every clone.
                typst::utils::hash128(&source);
                Some((id, source))
            })
            .collect()
    })
}

/// The parse of one of lectern's own Typst files, or `None` for any other file. Asking
/// for another file never waits for the parsing.
fn builtin_source(id: FileId) -> Option<Source> {
    static IDS: OnceLock<Vec<FileId>> = OnceLock::new();
    let ids = IDS.get_or_init(|| builtin_typst_files().map(|(path, _)| file_id(&path)).collect());
    if !ids.contains(&id) {
        return None;
    }
    builtin_sources().get(&id).cloned()
}

/// Parses lectern's own Typst files on a thread of their own, ahead of the compile that
/// imports them: started beside the Markdown stages of a process's first build (and the
/// making of the World, which keeps the pool's threads busy), it takes their parsing
/// (~45 million instructions, a fifth of a 30-slide deck's serial work before layout) off
/// the compile. Without the thread, the compile parses them itself.
pub fn parse_builtin_sources_early() {
    let _ = std::thread::Builder::new().name("lectern-parse".into()).spawn(|| {
        builtin_sources();
    });
}

/// Faces typst-kit found, loaded as the font index's are ([`crate::fontcache::FontFile`]).
fn scanned(
    faces: impl Iterator<Item = (fonts::FontPath, typst::text::FontInfo)>,
) -> impl Iterator<Item = (crate::fontcache::FontFile, typst::text::FontInfo)> {
    faces.map(|(font, info)| (font.into(), info))
}

impl LecternWorld {
    /// Finds fonts once: embedded, system, then each extra folder. System and extra
    /// folders come from the persistent face index ([`crate::fontcache`]) unless it is
    /// off (`LECTERN_NO_FONT_CACHE=1`), when typst-kit scans them as before; either way a
    /// face's data is read only when a compile uses it.
    pub fn new(root: &Path, font_dirs: &[PathBuf], now: Time) -> Self {
        let mut store = FontStore::new();
        match crate::fontcache::cache_path() {
            Some(cache) => {
                let (mut folders, system) = match crate::fontcache::system_folders() {
                    Some(folders) => (folders, Vec::new()),
                    None => (Vec::new(), scanned(fonts::system()).collect()),
                };
                folders.extend(font_dirs.iter().cloned());
                let faces = crate::fontcache::faces(&folders, Some(&cache));
                store.extend(faces.embedded);
                store.extend(system);
                store.extend(faces.files);
            }
            None => {
                store.extend(fonts::embedded());
                store.extend(scanned(fonts::system()));
                for dir in font_dirs {
                    store.extend(scanned(fonts::scan(dir)));
                }
            }
        }
        let main = file_id(vpaths::EMPTY);
        LecternWorld {
            library: LazyHash::new(Library::builder().build()),
            fonts: std::sync::Arc::new(store),
            files: FileStore::new(Loader {
                root: FsRoot::new(root.to_path_buf()),
                main,
                main_text: String::new(),
                main_own: None,
                parts: HashMap::new(),
                overlays: HashMap::new(),
                theme: None,
            }),
            main,
            now,
            today_asked: Default::default(),
            font_fingerprint: Default::default(),
        }
    }

    pub fn root(&self) -> &Path {
        self.files.loader().root.path()
    }

    /// Loads, on a thread of the pool, the regular and bold faces of the first installed
    /// family of each of the theme's Japanese and Latin font lists (the faces nearly every
    /// slide sets text in): started before the compile, while Typst evaluates the deck on
    /// one thread, it takes their loading (the Japanese face alone ~10 ms) off the start of
    /// the layout, where every thread would wait for it. A face loaded once stays loaded.
    pub fn load_fonts_early(&self, fonts: &crate::themes::Fonts) {
        use typst::text::{FontStretch, FontStyle, FontVariant, FontWeight};
        let book = self.fonts.book();
        let mut faces = Vec::new();
        for list in [&fonts.ja, &fonts.latin].into_iter().flatten() {
            let Some(family) = list.iter().map(|f| f.to_lowercase()).find(|f| book.contains_family(f)) else {
                continue;
            };
            for weight in [FontWeight::REGULAR, FontWeight::BOLD] {
                faces.extend(book.select(&family, FontVariant::new(FontStyle::Normal, weight, FontStretch::NORMAL)));
            }
        }
        // Each face is also hashed here: Typst's caches hash every font the deck uses, which
        // hashes the whole file once a process (~50 million instructions for each of Noto
        // Sans CJK's 20 MB files), and that otherwise happens on the layout threads (two of
        // them at once, each hashing the file).
        for index in faces {
            let store = std::sync::Arc::clone(&self.fonts);
            rayon::spawn(move || {
                if let Some(font) = store.font(index) {
                    typst::utils::hash128(&font);
                }
            });
        }
    }

    /// Prepares the next compile: new main text, overlays and theme; cached file
    /// contents are reset so edited files are read again (sources reparse incrementally).
    pub fn prepare(
        &mut self,
        main_vpath: &str,
        text: impl Into<MainText>,
        overlays: HashMap<String, Vec<u8>>,
        theme: Theme,
    ) {
        self.main = file_id(main_vpath);
        let loader = self.files.loader_mut();
        loader.main = self.main;
        loader.set_main_text(text.into());
        loader.overlays = overlays.into_iter().map(|(p, b)| (file_id(&p), Bytes::new(b))).collect();
        loader.theme = Some(theme);
        self.files.reset();
        self.now.reset();
        self.today_asked.store(false, std::sync::atomic::Ordering::Relaxed);
    }

    /// Replaces the main file's text after [`Self::prepare`], before the compile reads it:
    /// the file store keeps the last compile's parse of the main file through one reset
    /// only, and reparses just what changed from it; a second `prepare` would drop it and
    /// parse the whole file anew (new spans: nothing of the last compile is reused).
    pub fn set_main_text(&mut self, text: impl Into<MainText>) {
        self.files.loader_mut().set_main_text(text.into());
    }

    /// Whether `id` is the main file or one of the files the deck's text is split into.
    pub fn is_deck_file(&self, id: FileId) -> bool {
        let loader = self.files.loader();
        id == loader.main || loader.parts.contains_key(&id)
    }

    /// Where `offset` in one of the deck's files lies in the deck's whole text (the text
    /// the source map is of); `None` in the lines the split adds and in other files.
    pub fn deck_offset(&self, id: FileId, offset: usize) -> Option<usize> {
        let loader = self.files.loader();
        if id == loader.main {
            return loader.main_own.is_none_or(|own| offset < own).then_some(offset);
        }
        let part = loader.parts.get(&id)?;
        Some(part.deck_start + offset.checked_sub(part.prefix)?)
    }

    /// Whether the last compile asked for today's date.
    pub fn today_asked(&self) -> bool {
        self.today_asked.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// A digest of the fonts layout can use: the font book (families, styles, coverage)
    /// and each font file's path, size and modification time (a font updated in place
    /// may keep its coverage and change its metrics).
    pub fn font_fingerprint(&self) -> u128 {
        *self.font_fingerprint.get_or_init(|| {
            let book = self.fonts.book();
            let mut files = Vec::new();
            let mut index = 0;
            while let Some(source) = self.fonts.source(index) {
                let any: &dyn std::any::Any = source;
                if let Some(font) = any.downcast_ref::<crate::fontcache::FontFile>() {
                    let meta = std::fs::metadata(&font.path).ok();
                    files.push((
                        font.path.clone(),
                        font.index,
                        meta.as_ref().map(|m| m.len()),
                        meta.and_then(|m| m.modified().ok()),
                    ));
                }
                index += 1;
            }
            crate::fitcache::digest(&(&**book, files))
        })
    }

    /// The digest of a file as the compile would read it now (`None`: it cannot be read),
    /// without keeping it or counting it as read.
    pub fn file_digest(&self, vpath: &str) -> Option<u128> {
        let bytes = self.files.loader().load(file_id(vpath)).ok()?;
        Some(crate::fitcache::digest(&bytes.as_slice()))
    }

    /// Every font family the theme's `theme.yaml` lists, and those lectern itself names
    /// (for `<kbd>`): a compile may ask for each of them.
    pub fn font_families_listed(&self) -> Vec<String> {
        let mut families: Vec<String> = crate::emit::KBD_FONTS.iter().map(|f| f.to_string()).collect();
        if let Some(fonts) = self.files.loader().theme.as_ref().and_then(|t| t.settings.fonts.as_ref()) {
            families.extend([&fonts.ja, &fonts.latin, &fonts.mono].into_iter().flatten().flatten().cloned());
        }
        families
    }

    /// The file on disk behind a virtual path of a theme folder.
    pub fn theme_file(&self, vpath: &str) -> Option<PathBuf> {
        self.files.loader().theme.as_ref()?.folder_file(vpath)
    }

    /// Every file the last compile read except the main file, by virtual path, with its
    /// bytes: what a Typst project needs to compile the same document on its own.
    pub fn files_read(&mut self) -> Vec<(String, Bytes)> {
        let ids: Vec<FileId> = {
            let (loader, ids) = self.files.dependencies();
            let main = loader.main;
            ids.filter(|id| *id != main && !loader.parts.contains_key(id)).collect()
        };
        let mut files: Vec<(String, Bytes)> = ids
            .into_iter()
            .filter_map(|id| Some((id.vpath().get_with_slash().to_string(), self.files.file(id).ok()?)))
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    }

    /// Files on disk that the last compile read (the set to watch).
    pub fn dependencies(&mut self) -> Vec<PathBuf> {
        let (loader, ids) = self.files.dependencies();
        let mut out = Vec::new();
        for id in ids {
            if id == loader.main || loader.parts.contains_key(&id) || loader.overlays.contains_key(&id) {
                continue;
            }
            let path = id.vpath().get_with_slash();
            if let Some(file) = loader.theme.as_ref().and_then(|t| t.folder_file(path)) {
                out.push(file);
                continue;
            }
            if vpaths::is_internal(path) {
                continue; // served from the binary
            }
            if let Ok(p) = loader.root.resolve(id.vpath()) {
                out.push(p);
            }
        }
        out
    }
}

impl World for LecternWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(source) = builtin_source(id) {
            // Read through the store too, so the file counts as read (`--typst` folders,
            // the fit cache's manifest) as any other.
            self.files.file(id)?;
            return Ok(source);
        }
        self.files.source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, offset: Option<Duration>) -> Option<Datetime> {
        self.today_asked.store(true, std::sync::atomic::Ordering::Relaxed);
        self.now.today(offset)
    }
}
