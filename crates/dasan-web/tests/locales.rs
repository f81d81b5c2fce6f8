//! Every locale has exactly the same messages, attributes and variables, and every message id the
//! code and templates use exists. Korean plurals have only the `other` category.
#![allow(clippy::unwrap_used)]

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Shape = BTreeMap<String, BTreeSet<String>>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn variables(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &Expression<&str>, out: &mut BTreeSet<String>) {
    match expression {
        Expression::Inline(inline) => inline_variables(inline, out),
        Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                variables(&variant.value, out);
            }
        }
    }
}

fn inline_variables(inline: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

/// message id (and `id.attribute`) → the variables it uses.
fn shape_of(locale: &str) -> Shape {
    let mut shape = Shape::new();
    let dir = root().join("locales").join(locale);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "ftl"))
    {
        let text = std::fs::read_to_string(file).unwrap();
        let resource = fluent_syntax::parser::parse(text.as_str())
            .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", file.display()));
        for entry in resource.body {
            match entry {
                Entry::Message(message) => {
                    let id = message.id.name.to_owned();
                    let mut vars = BTreeSet::new();
                    if let Some(value) = &message.value {
                        variables(value, &mut vars);
                    }
                    assert!(
                        shape.insert(id.clone(), vars).is_none(),
                        "{locale}: {id} defined twice"
                    );
                    for attribute in &message.attributes {
                        let mut vars = BTreeSet::new();
                        variables(&attribute.value, &mut vars);
                        shape.insert(format!("{id}.{}", attribute.id.name), vars);
                    }
                }
                Entry::Junk { content } => panic!("{}: cannot parse {content:?}", file.display()),
                _ => {}
            }
        }
        if locale == "ko" {
            // Korean has only the plural category `other`: a [one] variant would never be chosen.
            assert!(
                !text.contains("[one]"),
                "{}: Korean plurals have only `other`",
                file.display()
            );
        }
    }
    shape
}

#[test]
fn every_locale_has_the_same_messages_attributes_and_variables() {
    let en = shape_of("en");
    let ko = shape_of("ko");
    assert!(en.len() > 100, "English has {} messages", en.len());
    let only_en: Vec<_> = en.keys().filter(|k| !ko.contains_key(*k)).collect();
    let only_ko: Vec<_> = ko.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "missing in Korean: {only_en:?}");
    assert!(only_ko.is_empty(), "missing in English: {only_ko:?}");
    for (id, vars) in &en {
        assert_eq!(
            vars, &ko[id],
            "{id} uses different variables in English and Korean"
        );
    }
}

/// Message ids quoted in templates and Rust sources: `ctx.t("id")`, `FieldError::new("f", "id")`.
fn used_ids() -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut files = Vec::new();
    let mut stack = vec![root().join("crates"), root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("target") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs")
                && !path.ends_with("tests/locales.rs")
            {
                files.push(path);
            }
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for prefix in [
            "ctx.t(\"",
            "ctx.tw(\"",
            "FieldError::new(\"",
            "\"feedback-error-",
            "\"field-error-",
        ] {
            for piece in text.split(prefix).skip(1) {
                let rest = if prefix.starts_with("FieldError") {
                    // FieldError::new("field", "message-id")
                    piece.split_once("\", \"").map(|(_, r)| r).unwrap_or("")
                } else {
                    piece
                };
                let id: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect();
                let id = match prefix.strip_prefix('"') {
                    Some(stem) => format!("{stem}{id}"),
                    None => id,
                };
                if id.len() > 2 && !id.ends_with('-') {
                    ids.insert(id);
                }
            }
        }
    }
    ids
}

#[test]
fn every_message_the_code_uses_exists() {
    let en = shape_of("en");
    let used = used_ids();
    assert!(
        used.len() > 50,
        "found only {} ids: is the scan broken?",
        used.len()
    );
    let missing: Vec<_> = used.iter().filter(|id| !en.contains_key(*id)).collect();
    assert!(missing.is_empty(), "used but not translated: {missing:?}");
    for code in dasan_web::error::PROBLEM_CODES {
        for part in ["title", "detail"] {
            let id = format!("problem-{code}.{part}");
            assert!(en.contains_key(&id), "{id} missing");
        }
    }
}
