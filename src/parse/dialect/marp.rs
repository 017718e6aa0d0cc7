//! Marp: titles from a slide's first heading, inherited and one-slide directives.

use std::collections::HashMap;

use crate::frontmatter::Meta;
use crate::model::*;
use crate::parse::DirectiveList;

/// In a Marp deck a slide's title is just its first block when that is a heading: make
/// it the title so themes place it and PDF bookmarks name the slide.
pub(in crate::parse) fn promote_marp_titles(slides: &mut [Slide]) {
    for slide in slides {
        if slide.title.is_none() && matches!(slide.blocks.first(), Some(Block::Heading { .. })) {
            let Block::Heading { inlines, span, .. } = slide.blocks.remove(0) else { unreachable!() };
            slide.title = Some(inlines);
            slide.span = span;
        }
    }
}

/// Marp's inherited (`key`) and one-slide (`_key`) directives, applied in order.
pub(in crate::parse) fn apply_marp_directives(meta: &Meta, slides: &mut [Slide], directives: &[DirectiveList]) {
    let mut inherited: HashMap<String, String> = HashMap::new();
    // Front-matter values are where Marp's inherited directives start.
    for (key, value) in [("class", &meta.class), ("backgroundColor", &meta.background_color), ("color", &meta.color)] {
        if let Some(value) = value {
            inherited.insert(key.into(), value.clone());
        }
    }
    for (i, (slide, list)) in slides.iter_mut().zip(directives).enumerate() {
        let mut local: HashMap<String, String> = HashMap::new();
        if i == 0 {
            // `_paginate: false` in the front matter is the first slide's own directive.
            local.extend(meta.first_slide.iter().cloned());
        }
        for (key, value, is_local) in list {
            if *is_local {
                local.insert(key.clone(), value.clone());
            } else {
                inherited.insert(key.clone(), value.clone());
            }
        }
        let get = |k: &str| local.get(k).or_else(|| inherited.get(k)).cloned();
        if let Some(class) = get("class") {
            for c in class.split_whitespace() {
                match Layout::from_marp_class(c) {
                    Some(layout) if slide.layout.is_none() => slide.layout = Some(layout),
                    _ => slide.classes.push(c.to_string()),
                }
            }
        }
        slide.paginate = get("paginate").map(|v| v == "true");
        slide.header = get("header");
        slide.footer = get("footer");
        slide.background_color = get("backgroundColor");
        slide.color = get("color");
    }
}
