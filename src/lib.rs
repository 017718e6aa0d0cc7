//! lectern: Markdown slide outlines → themed Typst slide decks → PDF, in-process.
//!
//! The pipeline, one module per stage: [`parse`] → [`resolve`] → [`layout`] → [`emit`] →
//! [`compile`] (on the long-lived [`world`]) → PDF export; [`pipeline`] runs them.

pub mod chart;
pub mod compile;
pub mod diag;
pub mod emit;
pub mod flow;
pub mod frontmatter;
pub mod handout;
pub mod images;
pub mod include;
pub mod layout;
pub mod model;
pub mod parse;
pub mod pipeline;
pub mod resolve;
pub mod scaffold;
pub mod themes;
pub mod watch;
pub mod world;
