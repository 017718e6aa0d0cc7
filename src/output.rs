//! Writing a build's files: every output is made in memory first and written only when
//! all of them succeeded, each whole (a temporary file, then a rename), never over one of
//! the build's inputs, and with no temporary file left behind by Ctrl-C or SIGTERM.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One finished output, waiting to be written.
pub struct Output {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

/// What a failed write phase did and did not do.
#[derive(Debug)]
pub struct WriteFailure {
    pub path: PathBuf,
    pub error: std::io::Error,
    pub written: Vec<PathBuf>,
    pub not_written: Vec<PathBuf>,
}

/// Writes every output in order; stops at the first failure and says which were written.
pub fn write_all(outputs: &[Output]) -> Result<Vec<PathBuf>, WriteFailure> {
    // What can be known before writing anything is checked before writing anything.
    for output in outputs {
        if output.path.is_dir() {
            return Err(WriteFailure {
                path: output.path.clone(),
                error: std::io::Error::new(std::io::ErrorKind::IsADirectory, "a folder of that name is in the way"),
                written: vec![],
                not_written: outputs.iter().map(|o| o.path.clone()).collect(),
            });
        }
    }
    let mut written = Vec::new();
    for (i, output) in outputs.iter().enumerate() {
        // Folders named by the user were checked before the build; the ones made here are
        // inside a `--typst DIR` project.
        let parent = output.path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists());
        let made = parent.map_or(Ok(()), std::fs::create_dir_all);
        if let Err(error) = made.and_then(|()| write_atomically(&output.path, &output.bytes)) {
            return Err(WriteFailure {
                path: output.path.clone(),
                error,
                written,
                not_written: outputs[i..].iter().map(|o| o.path.clone()).collect(),
            });
        }
        written.push(output.path.clone());
    }
    Ok(written)
}

/// Temporary files being written right now, removed by [`clean_up_on_interrupt`]'s handler.
static IN_PROGRESS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn registry() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    IN_PROGRESS.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Makes Ctrl-C and SIGTERM remove unfinished temporary files, then exit with 130.
/// For one-shot commands; `lectern watch` has its own handler and finishes its writes.
pub fn clean_up_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        // Held until the process ends, so no write can start a new temporary file.
        let mut paths = registry();
        for path in paths.drain(..) {
            let _ = std::fs::remove_file(path);
        }
        std::process::exit(130);
    });
}

/// Writes `path` whole or not at all: a temp file in the same folder, then a rename.
pub fn write_atomically(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    // Created under the registry's lock, so an interrupt either sees this file or stops
    // the process before it exists.
    let mut tmp = {
        let mut paths = registry();
        let tmp = tempfile::Builder::new().prefix(".lectern-").suffix(".tmp").tempfile_in(dir)?;
        paths.push(tmp.path().to_path_buf());
        tmp
    };
    let tmp_path = tmp.path().to_path_buf();
    let result = (|| {
        tmp.write_all(data)?;
        // Temp files are private (0600); the output should read like any file the user writes.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map(|m| m.permissions().mode()).unwrap_or(0o644);
            tmp.as_file().set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    })();
    registry().retain(|p| *p != tmp_path);
    result
}

/// Whether two paths name the same file (through `..`, symlinks or hard links), whether
/// or not the second exists yet.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    resolved(a) == resolved(b)
}

/// The path with its folder made canonical (the file itself may not exist).
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let parent = std::fs::canonicalize(parent)
        .unwrap_or_else(|_| crate::paths::normalize(&std::path::absolute(parent).unwrap_or_default()));
    parent.join(path.file_name().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_file_sees_through_dots_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("talk.md");
        std::fs::write(&a, "x").unwrap();
        assert!(same_file(&a, &dir.path().join("sub/../talk.md")));
        assert!(same_file(&dir.path().join("new.pdf"), &dir.path().join("./new.pdf")));
        assert!(!same_file(&a, &dir.path().join("talk.pdf")));
        #[cfg(unix)]
        {
            let link = dir.path().join("link.md");
            std::os::unix::fs::symlink(&a, &link).unwrap();
            assert!(same_file(&a, &link));
        }
    }

    #[test]
    fn a_failed_write_names_what_was_and_was_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let outputs = vec![
            Output { path: dir.path().join("a.pdf"), bytes: b"a".to_vec() },
            // Its "folder" is the file just written: the write fails.
            Output { path: dir.path().join("a.pdf/b.png"), bytes: b"b".to_vec() },
            Output { path: dir.path().join("c.pdfpc"), bytes: b"c".to_vec() },
        ];
        let failure = write_all(&outputs).unwrap_err();
        assert_eq!(failure.written, vec![dir.path().join("a.pdf")]);
        assert_eq!(failure.not_written.len(), 2);
        assert!(!dir.path().join("c.pdfpc").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
