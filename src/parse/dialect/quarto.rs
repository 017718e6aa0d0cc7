//! Quarto / R Markdown: executable code cells, callouts, hidden slides.

/// ```` ```{r} ````, ```` ```{python echo=FALSE} ```` → the cell's language; `None` for
/// ordinary code (and for ```` ```{{r}} ````, Quarto's way to show a cell unexecuted).
pub(in crate::parse) fn cell_language(info: &str) -> Option<String> {
    let inner = info.trim().strip_prefix('{')?.strip_suffix('}')?;
    if inner.starts_with('{') || inner.starts_with('.') || inner.starts_with('=') {
        return None;
    }
    let lang = inner.split([',', ' ']).next()?.trim();
    (!lang.is_empty()).then(|| lang.to_string())
}

/// The cell's code without its `#|` option lines.
pub(in crate::parse) fn strip_cell_options(code: &str) -> String {
    code.lines().filter(|l| !l.trim_start().starts_with("#|")).collect::<Vec<_>>().join("\n")
}

/// `callout-note` → "Note" (the default title of a callout without one).
pub(in crate::parse) fn callout_title(class: &str) -> Option<String> {
    let kind = class.strip_prefix("callout-")?;
    let mut c = kind.chars();
    let first = c.next()?;
    Some(first.to_uppercase().chain(c).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(cell_language("{r}").as_deref(), Some("r"));
        assert_eq!(cell_language("{css, echo=FALSE}").as_deref(), Some("css"));
        assert_eq!(cell_language("{{r}}"), None);
        assert_eq!(cell_language("{.r}"), None);
        assert_eq!(cell_language("rust"), None);
        assert_eq!(strip_cell_options("#| echo: true\nx <- 1"), "x <- 1");
        assert_eq!(callout_title("callout-note").as_deref(), Some("Note"));
    }
}
