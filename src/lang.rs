//! The deck's language: a BCP-47 tag as the author wrote it (`ja`, `en-US`), or the one
//! its text shows. Every "is this Japanese?" question is asked here.

/// A language tag, checked when parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lang(String);

impl Lang {
    /// `ja`, `en-US`, `zh_Hant`: a primary language of 2-3 letters and optional subtags.
    pub fn parse(tag: &str) -> Option<Lang> {
        let mut parts = tag.split(['-', '_']);
        let primary = parts.next().unwrap_or("");
        let valid = (2..=3).contains(&primary.len())
            && primary.chars().all(|c| c.is_ascii_alphabetic())
            && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
        valid.then(|| Lang(tag.to_string()))
    }

    /// `ja` when the text has kana or kanji, else `en`: what a speaker means without saying.
    pub fn detect(text: &str) -> Lang {
        let ja = text.chars().any(|c| matches!(c as u32, 0x3040..=0x30FF)) || text.chars().any(is_cjk);
        Lang(if ja { "ja" } else { "en" }.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_ja(&self) -> bool {
        self.language() == "ja"
    }

    /// The primary language, lower case: `en-US` → `en`.
    pub fn language(&self) -> String {
        self.0.split(['-', '_']).next().unwrap_or_default().to_ascii_lowercase()
    }

    /// A two-letter region, upper case: `en-US` → `US`; none for `zh-Hant`.
    pub fn region(&self) -> Option<String> {
        let (_, rest) = self.0.split_once(['-', '_'])?;
        Some(rest.to_ascii_uppercase()).filter(|r| r.len() == 2)
    }
}

impl std::ops::Deref for Lang {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether a character is Chinese, Japanese or Korean script (or their punctuation).
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x2FFF | 0x3000..=0x303F | 0x3040..=0x30FF | 0x3100..=0x31FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        assert!(Lang::parse("ja").unwrap().is_ja());
        assert!(Lang::parse("ja-JP").unwrap().is_ja());
        assert!(!Lang::parse("jam").unwrap().is_ja(), "Jamaican Creole is not Japanese");
        let en = Lang::parse("en_us").unwrap();
        assert_eq!((en.language(), en.region()), ("en".to_string(), Some("US".to_string())));
        assert_eq!(Lang::parse("zh-Hant").unwrap().region(), None);
        assert!(Lang::parse("japanese").is_none() && Lang::parse("").is_none());
    }
}
