//! The book (`book/`, mdBook) and the README: the book builds, no link of either is broken,
//! and every chapter's Rust code is compiled (each chapter is a doctest module of
//! `src/lib.rs`'s `book`, so `cargo test --doc` compiles and runs its blocks).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The chapters: every `.md` file of `book/src` but the table of contents.
fn chapters() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(common::root().join("book/src"))
        .expect("book/src")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && n != "SUMMARY.md")
        .collect();
    names.sort();
    names
}

#[test]
fn every_chapter_is_in_the_table_of_contents_and_its_code_is_compiled() {
    let root = common::root();
    let summary = fs::read_to_string(root.join("book/src/SUMMARY.md")).expect("SUMMARY.md");
    let lib = fs::read_to_string(root.join("src/lib.rs")).expect("src/lib.rs");
    assert!(
        lib.contains("#[doc = include_str!(\"../README.md\")]"),
        "the README's code blocks are not doctests of src/lib.rs"
    );
    let chapters = chapters();
    assert!(chapters.len() >= 20, "{chapters:?}");
    for chapter in &chapters {
        assert!(
            summary.contains(&format!("]({chapter})")),
            "book/src/{chapter} is not in SUMMARY.md, so the book does not show it"
        );
        assert!(
            lib.contains(&format!("= \"{chapter}\"")),
            "book/src/{chapter} is not in src/lib.rs's `chapters!`, so its code is not compiled"
        );
    }
}

/// Code blocks the doctests would skip or that are not fenced: every Rust block must compile.
#[test]
fn no_code_block_of_the_book_or_readme_escapes_the_compiler() {
    let root = common::root();
    let mut files: Vec<PathBuf> = chapters()
        .iter()
        .map(|c| root.join("book/src").join(c))
        .collect();
    files.push(root.join("README.md"));
    let mut rust_blocks = 0;
    for file in &files {
        let text = fs::read_to_string(file).expect("chapter");
        let mut open = false;
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let Some(info) = trimmed.strip_prefix("```") else {
                continue;
            };
            if open {
                open = false;
                continue;
            }
            open = true;
            let place = format!("{}:{}", file.display(), n + 1);
            assert!(
                !info.is_empty(),
                "{place}: a code block without a language is compiled as Rust; name it (```text, ```sh)"
            );
            if info.starts_with("rust") {
                rust_blocks += 1;
                assert!(
                    !info.contains("ignore"),
                    "{place}: ```{info}: every Rust block of the book must compile (no `ignore`)"
                );
            }
        }
        assert!(!open, "{}: a code block is not closed", file.display());
    }
    assert!(rust_blocks >= 25, "{rust_blocks} Rust blocks");
}

#[test]
fn the_book_builds_and_no_link_is_broken() {
    let mdbook = common::tool("RCDK_MDBOOK", ".tools/bin/mdbook", "mdbook");
    let root = common::root();
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = tmp.path().join("book");
    let built = Command::new(&mdbook)
        .arg("build")
        .arg(root.join("book"))
        .arg("--dest-dir")
        .arg(&out)
        .output()
        .expect("mdbook runs");
    let log = String::from_utf8_lossy(&built.stderr);
    assert!(built.status.success(), "mdbook build failed:\n{log}");
    assert!(
        !log.contains("WARN") && !log.contains("ERROR"),
        "mdbook build warned:\n{log}"
    );

    let pages = html_files(&out);
    assert!(pages.len() > 20, "{pages:?}");
    let mut ids: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    for page in &pages {
        let html = fs::read_to_string(page).expect("page");
        ids.insert(
            page.clone(),
            attribute_values(&html, "id").into_iter().collect(),
        );
    }
    let mut broken = Vec::new();
    let mut checked = 0;
    let mut external = BTreeSet::new();
    for page in &pages {
        let html = fs::read_to_string(page).expect("page");
        for link in attribute_values(&html, "href")
            .into_iter()
            .chain(attribute_values(&html, "src"))
        {
            if link.starts_with("http://") {
                broken.push(format!("{}: {link}: plain http", page.display()));
                continue;
            }
            if link.starts_with("https://") || link.starts_with("mailto:") {
                external.insert(link);
                continue;
            }
            checked += 1;
            let (path, fragment) = match link.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (link.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or_default();
            let target = if path.is_empty() {
                page.clone()
            } else if let Some(rooted) = path.strip_prefix('/') {
                // the 404 page's links are from the site's root
                normalize(&out.join(rooted))
            } else {
                normalize(&page.parent().expect("dir").join(path))
            };
            if !target.starts_with(&out) || !target.exists() {
                broken.push(format!("{}: {link}: no such file", rel(page, &out)));
                continue;
            }
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                let known = ids.get(&target).is_some_and(|i| i.contains(fragment));
                if !known {
                    broken.push(format!("{}: {link}: no such anchor", rel(page, &out)));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    // every chapter links to the others through the sidebar, so hundreds of links were read;
    // links out of the book are not fetched (CI has no network): they are listed here
    assert!(checked > 500, "{checked} links checked");
    eprintln!(
        "{checked} links checked; {} outside the book, not fetched",
        external.len()
    );
}

#[test]
fn the_readme_links_only_to_what_exists() {
    let root = common::root();
    let readme = fs::read_to_string(root.join("README.md")).expect("README.md");
    let mut broken = Vec::new();
    let mut links = 0;
    let mut fenced = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(')') else { break };
            let link = &after[..end];
            rest = &after[end..];
            if link.starts_with("https://") {
                continue;
            }
            links += 1;
            let (path, fragment) = match link.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (link, None),
            };
            let target = root.join(path);
            if path.is_empty() || !target.exists() {
                broken.push(format!("{link}: no such file"));
                continue;
            }
            if let (Some(fragment), true) = (fragment, path.ends_with(".md")) {
                let text = fs::read_to_string(&target).expect("linked file");
                let anchors: BTreeSet<String> = text
                    .lines()
                    .filter(|l| l.starts_with('#'))
                    .map(|l| slug(l.trim_start_matches('#')))
                    .collect();
                if !anchors.contains(fragment) {
                    broken.push(format!("{link}: no such heading"));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "README.md: broken links:\n{}",
        broken.join("\n")
    );
    assert!(links >= 10, "{links} links in the README");
}

/// A heading's anchor as mdBook and GitHub make it: lower case, spaces to `-`, other
/// punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "html") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The values of every `name="..."` attribute of a page, with HTML's entities for `&` undone.
fn attribute_values(html: &str, name: &str) -> Vec<String> {
    let needle = format!(" {name}=\"");
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&needle) {
        let after = &rest[start + needle.len()..];
        let end = after.find('"').unwrap_or(after.len());
        values.push(after[..end].replace("&amp;", "&"));
        rest = &after[end..];
    }
    values
}

fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

fn rel(page: &Path, out: &Path) -> String {
    page.strip_prefix(out).unwrap_or(page).display().to_string()
}
