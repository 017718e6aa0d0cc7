//! lectern: Markdown slide outlines → themed Typst slide decks → PDF, in-process.
//!
//! The pipeline, one module per stage: [`parse`] → [`resolve`] → [`layout`] → [`emit`] →
//! [`compile`] (on the long-lived [`world`]) → PDF export; [`pipeline`] runs them.

pub mod bibliography;
pub mod cbor;
pub mod chart;
pub mod citations;
pub mod citecache;
pub mod clock;
pub mod compile;
pub mod diag;
pub mod emit;
pub mod fit;
pub mod fitcache;
pub mod flow;
pub mod fontcache;
pub mod frontmatter;
pub mod guess;
pub mod handout;
pub mod highlight;
pub mod ids;
pub mod images;
pub mod include;
pub mod lang;
pub mod layout;
pub mod limits;
pub mod model;
pub mod output;
pub mod outputs;
pub mod pages;
pub mod parse;
pub mod paths;
pub mod phrases;
pub mod pipeline;
pub mod preview;
pub mod project;
pub mod remote;
pub mod resolve;
pub mod safety;
pub mod scaffold;
pub mod table;
pub mod themes;
pub mod values;
pub mod vpaths;
pub mod watch;
pub mod world;
pub mod yaml;
