//! What other slide tools' Markdown dialects mean, applied after the common parse.

pub(super) mod marp;
