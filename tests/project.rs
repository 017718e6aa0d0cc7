//! `--typst DIR` writes a Typst project that compiles on its own — here with a plain
//! Typst World over the folder (what `typst compile main.typ` does), not lectern's —
//! to the same pages as lectern's PDF.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use typst::diag::FileResult;
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::files::{FileLoader, FileStore, FsRoot};
use typst_kit::fonts::{self, FontStore};

struct Folder(FsRoot);

impl FileLoader for Folder {
    fn load(&self, id: FileId) -> FileResult<Bytes> {
        self.0.load(id.vpath())
    }
}

struct PlainWorld {
    library: LazyHash<Library>,
    fonts: FontStore,
    files: FileStore<Folder>,
    main: FileId,
}

impl World for PlainWorld {
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
        self.files.source(id)
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.file(id)
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }
    fn today(&self, _: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

fn typst_compile(dir: &Path) -> Vec<u8> {
    let mut fonts = FontStore::new();
    fonts.extend(fonts::embedded());
    fonts.extend(fonts::system());
    let main = RootedPath::new(VirtualRoot::Project, VirtualPath::new("/main.typ").unwrap()).intern();
    let world = PlainWorld {
        library: LazyHash::new(Library::builder().build()),
        fonts,
        files: FileStore::new(Folder(FsRoot::new(dir.to_path_buf()))),
        main,
    };
    let result = typst::compile::<typst_layout::PagedDocument>(&world);
    let document = result.output.unwrap_or_else(|errors| panic!("the project does not compile: {errors:?}"));
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).expect("pdf")
}

#[test]
fn typst_dir_writes_a_project_that_compiles_to_the_same_pages() {
    let dir = tempdir();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // An image, a chart, a bibliography, the dark theme (which builds on seminar).
    write(dir.path(), "talk/figures/pixel.png", "");
    std::fs::copy(root.join("tests/fixtures/pixel.png"), dir.path().join("talk/figures/pixel.png")).unwrap();
    write(
        dir.path(),
        "talk/refs.yml",
        "nicter:\n  type: report\n  title: NICTER 観測レポート 2024\n  author: NICT\n  date: 2025\n",
    );
    let deck = "---\ntitle: 持ち出せる資料\ntheme: dark\nbibliography: refs.yml\n---\n\n## 図 {.figure}\n\n![ルーター](figures/pixel.png)\n\n## グラフ\n\n```chart\ntype: bar\ncolumns: [年, 件数]\nrows: [[2023, 243], [2024, 166]]\n```\n\n## 出典\n\n観測は増えた[@nicter]。\n";
    write(dir.path(), "talk/talk.md", deck);
    let run = lectern(dir.path(), &["build", "talk/talk.md", "--typst", "out/project"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let project: PathBuf = dir.path().join("out/project");
    for file in ["main.typ", "README.txt", "talk/figures/pixel.png"] {
        assert!(project.join(file).is_file(), "{file} missing from the project");
    }
    // Citations arrive formatted, as text: the project needs no bibliography.
    let main = std::fs::read_to_string(project.join("main.typ")).unwrap();
    assert!(!main.contains("bibliography(") && !main.contains("cite("), "{main}");
    assert!(!project.join("__lectern__/bibliography.yml").exists());
    assert!(std::fs::read_to_string(project.join("README.txt")).unwrap().contains("typst compile main.typ"));

    let pdf = typst_compile(&project);
    let theirs = dir.path().join("typst.pdf");
    std::fs::write(&theirs, pdf).unwrap();
    let ours = dir.path().join("talk/talk.pdf");
    assert_eq!(pages(&theirs), pages(&ours), "the project's pages differ from lectern's");
    assert_eq!(page_count(&theirs), 4);

    // `--typst x.typ` still writes the main file alone.
    let run = lectern(dir.path(), &["build", "talk/talk.md", "--typst", "out/talk.typ"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(std::fs::read_to_string(dir.path().join("out/talk.typ")).unwrap().contains("#import"));
}
