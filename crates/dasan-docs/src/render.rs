//! Layout and PDF output with krilla.
//!
//! Two passes: [`layout`] flows the template's blocks onto pages as positioned drawing
//! operations (so the page count is known before "Page n of m" is printed), then [`emit`]
//! draws them with krilla, tagging every piece of text into a structure tree (headings,
//! tables with header cells, paragraphs) and marking running headers, footers and rules as
//! artifacts.

use std::num::NonZeroU16;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use krilla::color::{luma, rgb};
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, Node, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagKind, TagTree,
};
use krilla::text::TextDirection;
use krilla::{Document, SerializeSettings};

use crate::fonts::Fonts;
use crate::labels::{self, Label};
use crate::model::{DocumentSpec, Language, Layout};
use crate::seal::QrMatrix;
use crate::templates::{self, Block, LabelText, Words};

/// Errors rendering a document.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The document's data cannot be printed (e.g. an issue time before 1970).
    #[error("invalid document data: {0}")]
    Invalid(String),
    /// The QR seal payload does not fit a QR code.
    #[error(transparent)]
    Seal(#[from] crate::seal::SealError),
    /// krilla refused to write the PDF (a font problem, or a PDF/A rule broken).
    #[error("PDF generation failed: {0}")]
    Pdf(String),
}

const MARGIN_X: f32 = 50.0;
const MARGIN_TOP: f32 = 42.0;
/// Room at the bottom of each page for the QR seal and the verification note.
const FOOTER_H: f32 = 132.0;
const QR_SIZE: f32 = 112.0;
const BODY_SIZE: f32 = 9.5;
const LABEL_SIZE: f32 = 9.0;
const SMALL_SIZE: f32 = 7.5;
const CELL_PAD: f32 = 4.0;

fn line_h(size: f32) -> f32 {
    size * 1.4
}

/// Which structure element a piece of content belongs to.
#[derive(Clone, Copy, Debug)]
enum Mark {
    Artifact(ArtifactType),
    Leaf(usize),
}

#[derive(Clone, Debug)]
enum OpKind {
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        text: String,
    },
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    Shade {
        rect: (f32, f32, f32, f32),
    },
    Qr {
        x: f32,
        y: f32,
    },
}

#[derive(Clone, Debug)]
struct Op {
    kind: OpKind,
    mark: Mark,
}

#[derive(Clone, Copy, Debug)]
enum NodeKind {
    Heading(u16),
    P,
    Table,
    Tr,
    Th,
    Td,
    Figure,
}

#[derive(Debug)]
enum Child {
    Node(usize),
    Leaf(usize),
}

#[derive(Debug)]
struct LNode {
    kind: NodeKind,
    children: Vec<Child>,
    title: Option<String>,
}

/// The laid-out document: pages of operations plus the logical structure.
struct Laid {
    pages: Vec<Vec<Op>>,
    nodes: Vec<LNode>,
    roots: Vec<usize>,
    ops_count: usize,
}

struct Flow<'a> {
    fonts: &'a Fonts,
    width: f32,
    height: f32,
    pages: Vec<Vec<Op>>,
    y: f32,
    nodes: Vec<LNode>,
    roots: Vec<usize>,
    leaves: usize,
}

impl<'a> Flow<'a> {
    fn content_w(&self) -> f32 {
        self.width - 2.0 * MARGIN_X
    }

    fn bottom(&self) -> f32 {
        self.height - FOOTER_H
    }

    fn node(&mut self, kind: NodeKind, parent: Option<usize>) -> usize {
        self.nodes.push(LNode {
            kind,
            children: Vec::new(),
            title: None,
        });
        let id = self.nodes.len() - 1;
        match parent {
            Some(p) => {
                if let Some(n) = self.nodes.get_mut(p) {
                    n.children.push(Child::Node(id));
                }
            }
            None => self.roots.push(id),
        }
        id
    }

    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP + 28.0;
    }

    fn ensure(&mut self, h: f32) {
        if self.y + h > self.bottom() && self.y > MARGIN_TOP + 30.0 {
            self.new_page();
        }
    }

    fn text(&mut self, node: usize, x: f32, y: f32, size: f32, bold: bool, text: String) {
        let leaf = self.leaves;
        self.leaves += 1;
        if let Some(n) = self.nodes.get_mut(node) {
            n.children.push(Child::Leaf(leaf));
        }
        self.page().push(Op {
            kind: OpKind::Text {
                x,
                y,
                size,
                bold,
                text,
            },
            mark: Mark::Leaf(leaf),
        });
    }

    fn rule(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.page().push(Op {
            kind: OpKind::Rule {
                x1,
                y1,
                x2,
                y2,
                width,
            },
            mark: Mark::Artifact(ArtifactType::Layout),
        });
    }

    /// Lines of a label: Korean at `size` bold, English beneath a little smaller.
    fn label_lines(&self, label: &LabelText, size: f32, width: f32) -> Vec<(String, f32, bool)> {
        let mut out = Vec::new();
        for (i, part) in label.iter().enumerate() {
            let (s, bold) = if i == 0 {
                (size, true)
            } else {
                (size * 0.85, false)
            };
            for l in self.fonts.wrap(part, s, bold, width) {
                out.push((l, s, bold));
            }
        }
        out
    }

    fn lines_h(lines: &[(String, f32, bool)]) -> f32 {
        lines.iter().map(|(_, s, _)| line_h(*s)).sum()
    }

    fn draw_lines(&mut self, node: usize, x: f32, top: f32, lines: Vec<(String, f32, bool)>) {
        let mut y = top;
        for (text, size, bold) in lines {
            y += line_h(size);
            self.text(node, x, y - size * 0.35, size, bold, text);
        }
    }

    fn centered(&mut self, node: usize, text: &str, size: f32, bold: bool) {
        for line in self.fonts.wrap(text, size, bold, self.content_w()) {
            let w = self.fonts.width(&line, size, bold);
            self.y += line_h(size);
            let x = (self.width - w) / 2.0;
            self.text(node, x, self.y - size * 0.35, size, bold, line);
        }
    }

    fn heading(&mut self, label: &LabelText) {
        let lines = self.label_lines(label, 11.0, self.content_w());
        let h = Self::lines_h(&lines) + 10.0;
        // Keep a heading with at least two lines of what follows.
        self.ensure(h + 3.0 * line_h(BODY_SIZE));
        let node = self.node(NodeKind::Heading(2), None);
        if let Some(n) = self.nodes.get_mut(node) {
            n.title = label.first().cloned();
        }
        self.y += 8.0;
        let y = self.y;
        self.draw_lines(node, MARGIN_X, y, lines);
        self.y += h - 8.0;
    }

    fn fields(&mut self, rows: &[(LabelText, String)]) {
        let table = self.node(NodeKind::Table, None);
        let lw = self.content_w() * 0.3;
        let vw = self.content_w() - lw - 2.0 * CELL_PAD;
        for (label, value) in rows {
            let llines = self.label_lines(label, LABEL_SIZE, lw - 2.0 * CELL_PAD);
            let vlines: Vec<(String, f32, bool)> = self
                .fonts
                .wrap(value, BODY_SIZE, false, vw - CELL_PAD)
                .into_iter()
                .map(|l| (l, BODY_SIZE, false))
                .collect();
            let h = Self::lines_h(&llines).max(Self::lines_h(&vlines)) + 2.0 * CELL_PAD;
            self.ensure(h);
            let top = self.y;
            self.page().push(Op {
                kind: OpKind::Shade {
                    rect: (MARGIN_X, top, lw, h),
                },
                mark: Mark::Artifact(ArtifactType::Background),
            });
            let tr = self.node(NodeKind::Tr, Some(table));
            let th = self.node(NodeKind::Th, Some(tr));
            self.draw_lines(th, MARGIN_X + CELL_PAD, top + CELL_PAD, llines);
            let td = self.node(NodeKind::Td, Some(tr));
            self.draw_lines(td, MARGIN_X + lw + CELL_PAD, top + CELL_PAD, vlines);
            self.y = top + h;
            let right = self.width - MARGIN_X;
            self.rule(MARGIN_X, self.y, right, self.y, 0.4);
        }
    }

    fn table(&mut self, headers: &[LabelText], widths: &[f32], rows: &[Vec<String>]) {
        let table = self.node(NodeKind::Table, None);
        let cw = self.content_w();
        let cols: Vec<f32> = widths.iter().map(|w| w * cw).collect();
        let header_h = |s: &Self| {
            headers
                .iter()
                .zip(&cols)
                .map(|(h, w)| Self::lines_h(&s.label_lines(h, LABEL_SIZE, w - 2.0 * CELL_PAD)))
                .fold(0.0_f32, f32::max)
                + 2.0 * CELL_PAD
        };
        let draw_header = |s: &mut Self| {
            let h = header_h(s);
            let top = s.y;
            s.page().push(Op {
                kind: OpKind::Shade {
                    rect: (MARGIN_X, top, cw, h),
                },
                mark: Mark::Artifact(ArtifactType::Background),
            });
            let tr = s.node(NodeKind::Tr, Some(table));
            let mut x = MARGIN_X;
            for (head, w) in headers.iter().zip(&cols) {
                let th = s.node(NodeKind::Th, Some(tr));
                let lines = s.label_lines(head, LABEL_SIZE, w - 2.0 * CELL_PAD);
                s.draw_lines(th, x + CELL_PAD, top + CELL_PAD, lines);
                x += w;
            }
            s.y = top + h;
            let right = s.width - MARGIN_X;
            s.rule(MARGIN_X, s.y, right, s.y, 0.6);
        };
        self.ensure(header_h(self) + 2.0 * line_h(BODY_SIZE));
        draw_header(self);
        for row in rows {
            let cells: Vec<Vec<(String, f32, bool)>> = row
                .iter()
                .zip(&cols)
                .map(|(v, w)| {
                    self.fonts
                        .wrap(v, BODY_SIZE, false, w - 2.0 * CELL_PAD)
                        .into_iter()
                        .map(|l| (l, BODY_SIZE, false))
                        .collect()
                })
                .collect();
            let h = cells.iter().map(|c| Self::lines_h(c)).fold(0.0, f32::max) + 2.0 * CELL_PAD;
            if self.y + h > self.bottom() {
                self.new_page();
                draw_header(self);
            }
            let top = self.y;
            let tr = self.node(NodeKind::Tr, Some(table));
            let mut x = MARGIN_X;
            for (lines, w) in cells.into_iter().zip(&cols) {
                let td = self.node(NodeKind::Td, Some(tr));
                self.draw_lines(td, x + CELL_PAD, top + CELL_PAD, lines);
                x += w;
            }
            self.y = top + h;
            let right = self.width - MARGIN_X;
            self.rule(MARGIN_X, self.y, right, self.y, 0.3);
        }
    }

    fn paragraph(&mut self, text: &str) {
        let lines = self.fonts.wrap(text, BODY_SIZE, false, self.content_w());
        let p = self.node(NodeKind::P, None);
        self.y += 3.0;
        for line in lines {
            self.ensure(line_h(BODY_SIZE));
            self.y += line_h(BODY_SIZE);
            let y = self.y - BODY_SIZE * 0.35;
            self.text(p, MARGIN_X, y, BODY_SIZE, false, line);
        }
        self.y += 3.0;
    }
}

/// Local date and time as printed: `2026-03-01 09:00 (UTC+09:00)`.
pub(crate) fn local_time(t: SystemTime, offset_minutes: i32) -> Result<String, RenderError> {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| RenderError::Invalid("issue time before 1970".into()))?
        .as_secs();
    let local = secs
        .checked_add_signed(i64::from(offset_minutes) * 60)
        .ok_or_else(|| RenderError::Invalid("issue time out of range".into()))?;
    let dt = der::DateTime::from_unix_duration(Duration::from_secs(local))
        .map_err(|_| RenderError::Invalid("issue time out of range".into()))?;
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let off = offset_minutes.unsigned_abs();
    Ok(format!(
        "{:04}-{:02}-{:02} {:02}:{:02} (UTC{sign}{:02}:{:02})",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minutes(),
        off / 60,
        off % 60
    ))
}

fn layout(spec: &DocumentSpec, fonts: &Fonts) -> Result<Laid, RenderError> {
    let (width, height) = spec.paper.size_pt();
    let words = Words::new(spec);
    let mut f = Flow {
        fonts,
        width,
        height,
        pages: vec![Vec::new()],
        y: MARGIN_TOP + 28.0,
        nodes: Vec::new(),
        roots: Vec::new(),
        leaves: 0,
    };
    let doc_type = spec.facts.document_type();

    // Title.
    let h1 = f.node(NodeKind::Heading(1), None);
    match spec.layout {
        Layout::Single => {
            let t = labels::title(doc_type, spec.language);
            if let Some(n) = f.nodes.get_mut(h1) {
                n.title = Some(t.to_owned());
            }
            f.centered(h1, t, 20.0, true);
        }
        Layout::Bilingual => {
            let ko = labels::title(doc_type, Language::Ko);
            if let Some(n) = f.nodes.get_mut(h1) {
                n.title = Some(ko.to_owned());
            }
            f.centered(h1, ko, 20.0, true);
            f.y += 2.0;
            f.centered(h1, labels::title(doc_type, Language::En), 12.0, false);
        }
    }
    f.y += 14.0;

    // Issue details.
    let agency = match spec.layout {
        Layout::Bilingual => format!("{} ({})", spec.agency.name_ko, spec.agency.name_en),
        Layout::Single => match spec.language {
            Language::Ko => spec.agency.name_ko.clone(),
            Language::En => spec.agency.name_en.clone(),
        },
    };
    let issued = local_time(spec.issued_at, spec.utc_offset_minutes)?;
    let mut details = vec![(words.label(Label::IssueNumber), spec.issue_number.clone())];
    if let Some(code) = &spec.check_code {
        details.push((words.label(Label::CheckCode), code.clone()));
    }
    details.push((words.label(Label::IssuedAt), issued.clone()));
    details.push((words.label(Label::IssuingAgency), agency.clone()));
    f.fields(&details);
    f.y += 6.0;

    for block in templates::body(spec) {
        match block {
            Block::Heading(l) => f.heading(&l),
            Block::Fields(rows) => f.fields(&rows),
            Block::Table {
                headers,
                widths,
                rows,
            } => f.table(&headers, &widths, &rows),
            Block::Paragraph(p) => f.paragraph(&p),
        }
    }

    // Closing statement, date and agency.
    let statement = match doc_type {
        crate::model::DocumentType::DecisionLetter => Label::NotifyStatement,
        crate::model::DocumentType::ProcurementContract => Label::ContractStatement,
        _ => Label::CertifyStatement,
    };
    let mut closing = words.statement(statement);
    closing.push(issued);
    let closing_h = closing.len() as f32 * line_h(11.0) + line_h(14.0) + 30.0;
    f.ensure(closing_h);
    f.y += 18.0;
    let p = f.node(NodeKind::P, None);
    for l in closing {
        f.centered(p, &l, 10.5, false);
    }
    f.y += 8.0;
    f.centered(p, &agency, 14.0, true);

    let ops_count = f.leaves;
    let mut pages = std::mem::take(&mut f.pages);
    let total = pages.len();

    // Running header, footer and QR seal on every page.
    let note = words.statement(Label::VerifyNote).join(" ");
    let mut figure = None;
    for (i, ops) in pages.iter_mut().enumerate() {
        let head_y = MARGIN_TOP;
        let hdr = |text: String, x: f32, bold: bool| Op {
            kind: OpKind::Text {
                x,
                y: head_y,
                size: SMALL_SIZE,
                bold,
                text,
            },
            mark: Mark::Artifact(ArtifactType::Header),
        };
        ops.push(hdr(agency.clone(), MARGIN_X, true));
        let issue = format!(
            "{} {}",
            words.label(Label::IssueNumber).join(" / "),
            spec.issue_number
        );
        let iw = fonts.width(&issue, SMALL_SIZE, false);
        ops.push(hdr(issue, width - MARGIN_X - iw, false));
        ops.push(Op {
            kind: OpKind::Rule {
                x1: MARGIN_X,
                y1: head_y + 6.0,
                x2: width - MARGIN_X,
                y2: head_y + 6.0,
                width: 0.8,
            },
            mark: Mark::Artifact(ArtifactType::Header),
        });

        let qr_y = height - 24.0 - QR_SIZE;
        // The first page's seal is a figure with alternate text; repeats are artifacts.
        let mark = if i == 0 {
            let leaf = f.leaves;
            f.leaves += 1;
            figure = Some(leaf);
            Mark::Leaf(leaf)
        } else {
            Mark::Artifact(ArtifactType::Footer)
        };
        ops.push(Op {
            kind: OpKind::Qr {
                x: MARGIN_X,
                y: qr_y,
            },
            mark,
        });
        let tx = MARGIN_X + QR_SIZE + 12.0;
        let tw = width - MARGIN_X - tx;
        let mut y = qr_y + 18.0;
        for line in fonts.wrap(&note, SMALL_SIZE, false, tw) {
            ops.push(Op {
                kind: OpKind::Text {
                    x: tx,
                    y,
                    size: SMALL_SIZE,
                    bold: false,
                    text: line,
                },
                mark: Mark::Artifact(ArtifactType::Footer),
            });
            y += line_h(SMALL_SIZE);
        }
        let page_no = labels::page_of(i + 1, total, words.lang);
        let pw = fonts.width(&page_no, SMALL_SIZE, false);
        ops.push(Op {
            kind: OpKind::Text {
                x: width - MARGIN_X - pw,
                y: height - 24.0,
                size: SMALL_SIZE,
                bold: false,
                text: page_no,
            },
            mark: Mark::Artifact(ArtifactType::PageNumber),
        });
    }
    if let Some(leaf) = figure {
        let alt = words.statement(Label::QrAlt).join(" / ");
        f.nodes.push(LNode {
            kind: NodeKind::Figure,
            children: vec![Child::Leaf(leaf)],
            title: Some(alt),
        });
        let id = f.nodes.len() - 1;
        f.roots.push(id);
    }
    Ok(Laid {
        pages,
        nodes: f.nodes,
        roots: f.roots,
        ops_count: ops_count + usize::from(figure.is_some()),
    })
}

fn draw_qr(surface: &mut Surface<'_>, qr: &QrMatrix, x: f32, y: f32) {
    // A quiet zone of four modules is part of the symbol.
    let n = qr.width + 8;
    let m = QR_SIZE / n as f32;
    let mut pb = PathBuilder::new();
    for row in 0..qr.width {
        let mut col = 0;
        while col < qr.width {
            if !qr.dark(col, row) {
                col += 1;
                continue;
            }
            // Merge a horizontal run of dark modules into one rectangle: fewer path operators.
            let start = col;
            while col < qr.width && qr.dark(col, row) {
                col += 1;
            }
            if let Some(r) = Rect::from_xywh(
                x + (start + 4) as f32 * m,
                y + (row + 4) as f32 * m,
                (col - start) as f32 * m,
                m,
            ) {
                pb.push_rect(r);
            }
        }
    }
    if let Some(path) = pb.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(Fill {
            paint: luma::Color::black().into(),
            ..Fill::default()
        }));
        surface.draw_path(&path);
    }
}

fn emit(
    spec: &DocumentSpec,
    fonts: &Fonts,
    laid: Laid,
    qr: &QrMatrix,
) -> Result<Vec<u8>, RenderError> {
    let (width, height) = spec.paper.size_pt();
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A2_A)
        .finish()
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut doc = Document::new_with(settings);
    let mut ids: Vec<Option<Identifier>> = (0..laid.ops_count).map(|_| None).collect();
    let page_settings = PageSettings::from_wh(width, height)
        .ok_or_else(|| RenderError::Invalid("bad page size".into()))?;
    for ops in laid.pages {
        let mut page = doc.start_page_with(page_settings.clone());
        let mut s = page.surface();
        for op in ops {
            let id = match op.mark {
                Mark::Artifact(kind) => {
                    // krilla requires a bounding box on background artifacts.
                    let bbox = match &op.kind {
                        OpKind::Shade { rect: (x, y, w, h) } => Rect::from_xywh(*x, *y, *w, *h),
                        _ => None,
                    };
                    let artifact = match bbox {
                        Some(b) => Artifact::new(kind, Some(b)),
                        None => Artifact::with_kind(if kind == ArtifactType::Background {
                            ArtifactType::Layout
                        } else {
                            kind
                        }),
                    };
                    s.start_tagged(ContentTag::Artifact(artifact));
                    None
                }
                Mark::Leaf(leaf) => {
                    Some((leaf, s.start_tagged(ContentTag::Span(SpanTag::empty()))))
                }
            };
            match op.kind {
                OpKind::Text {
                    x,
                    y,
                    size,
                    bold,
                    text,
                } => {
                    s.set_fill(Some(Fill {
                        paint: luma::Color::black().into(),
                        ..Fill::default()
                    }));
                    s.draw_text(
                        Point::from_xy(x, y),
                        fonts.font(bold),
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                OpKind::Rule {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y1);
                    pb.line_to(x2, y2);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: luma::Color::new(90).into(),
                            width,
                            ..Stroke::default()
                        }));
                        s.draw_path(&path);
                        s.set_stroke(None);
                    }
                }
                OpKind::Shade { rect: (x, y, w, h) } => {
                    if let Some(r) = Rect::from_xywh(x, y, w, h) {
                        let mut pb = PathBuilder::new();
                        pb.push_rect(r);
                        if let Some(path) = pb.finish() {
                            s.set_stroke(None);
                            s.set_fill(Some(Fill {
                                paint: rgb::Color::new(238, 242, 247).into(),
                                opacity: NormalizedF32::ONE,
                                ..Fill::default()
                            }));
                            s.draw_path(&path);
                        }
                    }
                }
                OpKind::Qr { x, y } => draw_qr(&mut s, qr, x, y),
            }
            s.end_tagged();
            if let Some((leaf, id)) = id
                && let Some(slot) = ids.get_mut(leaf)
            {
                *slot = Some(id);
            }
        }
        s.finish();
        page.finish();
    }

    // Build the structure tree in reading order.
    fn build(nodes: &[LNode], i: usize, ids: &mut [Option<Identifier>]) -> Option<TagGroup> {
        let n = nodes.get(i)?;
        let kind: TagKind = match n.kind {
            NodeKind::Heading(level) => Tag::Hn(
                NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN),
                n.title.clone(),
            )
            .into(),
            NodeKind::P => Tag::P.into(),
            NodeKind::Table => Tag::Table.into(),
            NodeKind::Tr => Tag::TR.into(),
            NodeKind::Th => Tag::TH(TableHeaderScope::Row).into(),
            NodeKind::Td => Tag::TD.into(),
            NodeKind::Figure => Tag::Figure(n.title.clone()).into(),
        };
        let mut g = TagGroup::new(kind);
        for c in &n.children {
            match c {
                Child::Node(j) => {
                    if let Some(child) = build(nodes, *j, ids) {
                        g.push(Node::Group(child));
                    }
                }
                Child::Leaf(l) => {
                    if let Some(id) = ids.get_mut(*l).and_then(Option::take) {
                        g.push(Node::Leaf(id));
                    }
                }
            }
        }
        Some(g)
    }
    let mut tree = TagTree::new().with_lang(Some(spec.language.tag().to_owned()));
    for r in &laid.roots {
        if let Some(g) = build(&laid.nodes, *r, &mut ids) {
            tree.push(g);
        }
    }
    doc.set_tag_tree(tree);

    let title = match spec.layout {
        Layout::Single => labels::title(spec.facts.document_type(), spec.language).to_owned(),
        Layout::Bilingual => format!(
            "{} / {}",
            labels::title(spec.facts.document_type(), Language::Ko),
            labels::title(spec.facts.document_type(), Language::En)
        ),
    };
    let created = creation_date(spec.issued_at)?;
    doc.set_metadata(
        Metadata::new()
            .title(format!("{title} — {}", spec.issue_number))
            .language(spec.language.tag().to_owned())
            .creator(spec.agency.name_en.clone())
            .producer("Dasan (krilla)".to_owned())
            .creation_date(created)
            .document_id(spec.issue_number.clone()),
    );
    doc.finish().map_err(|e| RenderError::Pdf(format!("{e:?}")))
}

fn creation_date(t: SystemTime) -> Result<krilla::metadata::DateTime, RenderError> {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| RenderError::Invalid("issue time before 1970".into()))?;
    let dt = der::DateTime::from_unix_duration(Duration::from_secs(secs.as_secs()))
        .map_err(|_| RenderError::Invalid("issue time out of range".into()))?;
    Ok(krilla::metadata::DateTime::new(dt.year())
        .month(dt.month())
        .day(dt.day())
        .hour(dt.hour())
        .minute(dt.minutes())
        .second(dt.seconds())
        .utc_offset_hour(0)
        .utc_offset_minute(0))
}

/// Render `spec` as a PDF (PDF/A-2a, tagged, fonts embedded and subset) with the QR seal
/// `seal_payload` (see [`crate::seal::make_qr_payload`]) on every page.
///
/// # Errors
/// [`RenderError`].
pub fn render(
    spec: &DocumentSpec,
    fonts: &Fonts,
    seal_payload: &str,
) -> Result<Vec<u8>, RenderError> {
    let qr = QrMatrix::encode(seal_payload)?;
    let laid = layout(spec, fonts)?;
    emit(spec, fonts, laid, &qr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_applies_the_offset() {
        let t = UNIX_EPOCH + Duration::from_secs(1_772_323_200); // 2026-03-01T00:00:00Z
        assert_eq!(
            local_time(t, 540).ok().as_deref(),
            Some("2026-03-01 09:00 (UTC+09:00)")
        );
        assert_eq!(
            local_time(t, -300).ok().as_deref(),
            Some("2026-02-28 19:00 (UTC-05:00)")
        );
        assert!(local_time(UNIX_EPOCH - Duration::from_secs(1), 0).is_err());
    }
}
