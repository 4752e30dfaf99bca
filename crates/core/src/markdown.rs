//! Markdown written by members and the secretariat (posts, articles,
//! questions, answers), rendered once on save.
//!
//! Both the Markdown and the HTML are stored, so this runs on writes only and
//! readers never pay for it. The HTML goes through two independent layers:
//!
//! 1. The Markdown is parsed with the extensions a magazine uses (tables,
//!    strikethrough, task lists, footnotes). Raw HTML written by an author is
//!    turned into text, so `<b>` shows up literally as `<b>` instead of being
//!    interpreted: authors see exactly what they typed, and the sanitiser only
//!    ever receives markup that pulldown-cmark generated, with the author's text
//!    escaped inside it.
//! 2. The generated HTML is cleaned by ammonia with an allow-list that holds
//!    only what the renderer produces. Should layer 1 ever let raw HTML through,
//!    layer 2 alone still removes scripts, event handlers and dangerous URLs.
//!
//! # Bounding the work
//!
//! Callers limit the size of the Markdown (the services cap bodies at 100,000
//! characters). Within that size, nesting is the remaining hazard: html5ever
//! takes time proportional to the depth of the open elements for every
//! element it inserts, so 50,000 nested `>` would take seconds and nested
//! lists far longer. Block quotes, lists and inline spans nested deeper than
//! 32 levels are therefore flattened into their parent before the HTML is
//! built; their text is kept. Every stage (pulldown-cmark, ammonia, the
//! serialiser) walks the document without recursion, so depth cannot
//! overflow the stack either.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Alignment, CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// How deeply block quotes, lists and inline spans may nest. No article
/// needs more, and beyond it the sanitiser's parser slows down quadratically.
const MAX_NESTING: usize = 32;

/// Markdown rendered to HTML that is safe to insert into a page.
///
/// Raw HTML in the Markdown is shown as text rather than interpreted. Links
/// carry `rel="noopener noreferrer nofollow"`; only `http`, `https` and
/// `mailto` URLs and relative URLs (but not protocol-relative `//host` ones)
/// survive. Footnotes are collected into a `<section class="footnotes">` at the
/// end with ids `footnote-N` and `footnote-ref-N`.
///
/// Callers bound the input's size (the services cap bodies at 100,000
/// characters); the work then grows about linearly with it.
pub fn to_safe_html(markdown: &str) -> String {
    let mut hardener = Hardener::default();
    let events = parse(markdown).filter_map(|event| hardener.step(event));
    let events = lay_out_footnotes(events);
    let mut html = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut html, events.into_iter());
    SANITISER.clean(&html).to_string()
}

/// The plain text of Markdown (no markup), for search indexes, leads in mail and excerpts: block elements separated by newlines, links as their text, images as their alt text, code as its text.
///
/// Raw HTML appears literally, as it does in [`to_safe_html`]; footnote
/// references and task-list checkboxes are left out, and table cells are
/// separated by tabs. A line break inside a paragraph becomes a space, except
/// between two Chinese or Japanese characters, which are written without one.
pub fn to_plain_text(markdown: &str) -> String {
    let mut text = PlainText::default();
    for event in parse(markdown) {
        text.step(event);
    }
    text.finish()
}

fn parse(markdown: &str) -> Parser<'_> {
    // Heading attributes stay off: they would let authors set ids and classes.
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES;
    Parser::new_ext(markdown, options)
}

/// The sanitiser, built once: the allow-list holds exactly what [`to_safe_html`]
/// generates, so anything else in its input is an attack or a bug.
static SANITISER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::empty();
    builder
        .tags(HashSet::from([
            "p",
            "br",
            "hr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "strong",
            "em",
            "del",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "a",
            "img",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "sup",
            "section",
            "input",
        ]))
        // Removed with everything inside them: their content is code, styles or
        // a foreign document, never text worth keeping.
        .clean_content_tags(HashSet::from([
            "script", "style", "template", "iframe", "frame", "frameset", "object", "embed",
            "applet", "svg", "math", "noscript", "noembed", "noframes", "xmp", "textarea",
            "select", "title",
        ]))
        .generic_attributes(HashSet::new())
        .tag_attributes(HashMap::from([
            ("a", HashSet::from(["href", "title", "id"])),
            ("img", HashSet::from(["src", "alt", "title"])),
            ("ol", HashSet::from(["start"])),
            ("li", HashSet::from(["id"])),
            ("code", HashSet::from(["class"])),
            // `type` and `disabled` are listed although forced below: allowed
            // attributes keep their place, forced ones are appended in hash
            // order, and the same Markdown should always give the same HTML.
            ("input", HashSet::from(["type", "checked", "disabled"])),
        ]))
        .tag_attribute_values(HashMap::from([
            (
                "th",
                HashMap::from([("align", HashSet::from(["left", "center", "right"]))]),
            ),
            (
                "td",
                HashMap::from([("align", HashSet::from(["left", "center", "right"]))]),
            ),
        ]))
        // Forced rather than allowed: an input that is not a disabled checkbox
        // would be a form control on the page.
        .set_tag_attribute_values(HashMap::from([(
            "input",
            HashMap::from([("type", "checkbox"), ("disabled", "")]),
        )]))
        .allowed_classes(HashMap::from([
            ("section", HashSet::from(["footnotes"])),
            ("sup", HashSet::from(["footnote-ref"])),
            ("a", HashSet::from(["footnote-backref"])),
        ]))
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(UrlRelative::Custom(Box::new(keep_relative_url)))
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true)
        .id_prefix(None)
        .attribute_filter(filter_attribute);
    builder
});

/// Keeps links between pages of the site (`/posts/1`, `#footnote-1`) but not
/// protocol-relative URLs, which point at another host. Browsers ignore tabs
/// and newlines in URLs and read `\` as `/`, so `/\t\evil` counts as `//evil`.
fn keep_relative_url(url: &str) -> Option<Cow<'_, str>> {
    let mut significant = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    let is_slash = |c: Option<char>| matches!(c, Some('/' | '\\'));
    if is_slash(significant.next()) && is_slash(significant.next()) {
        None
    } else {
        Some(Cow::Borrowed(url))
    }
}

/// Attributes whose allowed values are a pattern rather than a fixed set.
/// Ids are limited to the footnote ids the renderer generates, so authors
/// cannot clobber ids the frontend relies on.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let keep = match (element, attribute) {
        ("code", "class") => is_language_class(value),
        ("li", "id") => is_numbered_id(value, "footnote-"),
        ("a", "id") => is_numbered_id(value, "footnote-ref-"),
        _ => true,
    };
    keep.then_some(Cow::Borrowed(value))
}

/// `language-rust`, `language-c++`, `language-objective-c`: what syntax
/// highlighters in the frontends look for.
fn is_language_class(value: &str) -> bool {
    value.strip_prefix("language-").is_some_and(|language| {
        (1..=40).contains(&language.len())
            && language
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_' | '.'))
    })
}

fn is_numbered_id(value: &str, prefix: &str) -> bool {
    value
        .strip_prefix(prefix)
        .is_some_and(|number| !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
}

/// What became of a `Start` event, so that its `End` is treated alike.
enum Opened {
    /// Emitted, and counted towards the nesting depth.
    Nesting,
    /// Emitted, and not counted (paragraphs, tables and the like cannot nest).
    Plain,
    /// Flattened into its parent.
    Dropped,
}

/// The first stage of [`to_safe_html`]: raw HTML becomes text, excess
/// nesting is flattened, and table cells carry `align` instead of the
/// `style` pulldown-cmark would write (the sanitiser allows no styles).
#[derive(Default)]
struct Hardener {
    opened: Vec<Opened>,
    depth: usize,
    alignments: Vec<Alignment>,
    in_table_head: bool,
    column: usize,
}

impl Hardener {
    fn step<'a>(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            other => Some(other),
        }
    }

    fn start<'a>(&mut self, tag: Tag<'a>) -> Option<Event<'a>> {
        let nests = matches!(
            tag,
            Tag::BlockQuote(_)
                | Tag::List(_)
                | Tag::Item
                | Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
        );
        if !nests {
            self.opened.push(Opened::Plain);
        } else if self.depth < MAX_NESTING {
            self.depth += 1;
            self.opened.push(Opened::Nesting);
        } else {
            self.opened.push(Opened::Dropped);
            return None;
        }
        Some(match tag {
            // The escaped lines of an HTML block still need a block around them.
            Tag::HtmlBlock => Event::Start(Tag::Paragraph),
            Tag::Table(alignments) => {
                self.alignments = alignments;
                Event::Start(Tag::Table(Vec::new()))
            }
            Tag::TableHead => {
                self.in_table_head = true;
                self.column = 0;
                Event::Start(Tag::TableHead)
            }
            Tag::TableRow => {
                self.column = 0;
                Event::Start(Tag::TableRow)
            }
            Tag::TableCell => Event::Html(CowStr::Borrowed(self.cell_start())),
            other => Event::Start(other),
        })
    }

    fn end<'a>(&mut self, tag: TagEnd) -> Option<Event<'a>> {
        match self.opened.pop() {
            Some(Opened::Dropped) => return None,
            Some(Opened::Nesting) => self.depth -= 1,
            Some(Opened::Plain) | None => {}
        }
        Some(match tag {
            TagEnd::HtmlBlock => Event::End(TagEnd::Paragraph),
            TagEnd::TableHead => {
                self.in_table_head = false;
                Event::End(TagEnd::TableHead)
            }
            TagEnd::TableCell => {
                self.column += 1;
                Event::Html(CowStr::Borrowed(if self.in_table_head {
                    "</th>"
                } else {
                    "</td>"
                }))
            }
            other => Event::End(other),
        })
    }

    fn cell_start(&self) -> &'static str {
        let alignment = self.alignments.get(self.column).copied();
        match (self.in_table_head, alignment) {
            (true, Some(Alignment::Left)) => "<th align=\"left\">",
            (true, Some(Alignment::Center)) => "<th align=\"center\">",
            (true, Some(Alignment::Right)) => "<th align=\"right\">",
            (true, _) => "<th>",
            (false, Some(Alignment::Left)) => "<td align=\"left\">",
            (false, Some(Alignment::Center)) => "<td align=\"center\">",
            (false, Some(Alignment::Right)) => "<td align=\"right\">",
            (false, _) => "<td>",
        }
    }
}

/// Footnote labels match like link labels: case-insensitively, with runs of
/// whitespace counting as one space.
fn label_key(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

struct Note<'a> {
    key: String,
    events: Vec<Event<'a>>,
}

enum Sink {
    Note(usize),
    Discard,
}

/// The second stage of [`to_safe_html`]: footnote definitions are moved to a
/// numbered list at the end, numbered in order of first mention, with links
/// both ways. pulldown-cmark's own footnote HTML is not used because it takes
/// ids verbatim from the author's labels, which could clash with the page's.
#[derive(Default)]
struct Footnotes<'a> {
    body: Vec<Event<'a>>,
    /// The first definition of each label; later ones are dropped.
    notes: Vec<Note<'a>>,
    note_of_key: HashMap<String, usize>,
    mention_order: Vec<String>,
    mentioned: HashSet<String>,
    /// Labels referenced where a reference gets a link (not in alt text).
    referenced: HashSet<String>,
    sinks: Vec<Sink>,
    image_depth: usize,
}

fn lay_out_footnotes<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut footnotes = Footnotes::default();
    for event in events {
        footnotes.take(event);
    }
    footnotes.finish()
}

impl<'a> Footnotes<'a> {
    fn mention(&mut self, key: &str) {
        if self.mentioned.insert(key.to_owned()) {
            self.mention_order.push(key.to_owned());
        }
    }

    fn take(&mut self, event: Event<'a>) {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let key = label_key(&label);
                self.mention(&key);
                let sink = if self.note_of_key.contains_key(&key) {
                    Sink::Discard
                } else {
                    self.note_of_key.insert(key.clone(), self.notes.len());
                    self.notes.push(Note {
                        key,
                        events: Vec::new(),
                    });
                    Sink::Note(self.notes.len() - 1)
                };
                self.sinks.push(sink);
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                self.sinks.pop();
            }
            event => {
                let discarding = matches!(self.sinks.last(), Some(Sink::Discard));
                match &event {
                    Event::Start(Tag::Image { .. }) => self.image_depth += 1,
                    Event::End(TagEnd::Image) => {
                        self.image_depth = self.image_depth.saturating_sub(1)
                    }
                    Event::FootnoteReference(label) => {
                        let key = label_key(label);
                        self.mention(&key);
                        if self.image_depth == 0 && !discarding {
                            self.referenced.insert(key);
                        }
                    }
                    _ => {}
                }
                match self.sinks.last() {
                    None => self.body.push(event),
                    Some(Sink::Note(index)) => self.notes[*index].events.push(event),
                    Some(Sink::Discard) => {}
                }
            }
        }
    }

    fn finish(self) -> Vec<Event<'a>> {
        let Footnotes {
            body,
            notes,
            note_of_key,
            mention_order,
            referenced,
            ..
        } = self;
        // Only defined labels get numbers, so the numbers run 1, 2, 3… in the
        // order the list shows them.
        let numbers: HashMap<String, usize> = mention_order
            .into_iter()
            .filter(|key| note_of_key.contains_key(key))
            .enumerate()
            .map(|(index, key)| (key, index + 1))
            .collect();
        let mut linker = Linker {
            numbers: &numbers,
            anchored: HashSet::new(),
            image_depth: 0,
        };
        let mut out: Vec<Event<'a>> = body.into_iter().map(|event| linker.link(event)).collect();
        if notes.is_empty() {
            return out;
        }
        let mut notes: Vec<(usize, Note<'a>)> = notes
            .into_iter()
            .map(|note| (numbers.get(&note.key).copied().unwrap_or(usize::MAX), note))
            .collect();
        notes.sort_by_key(|(number, _)| *number);
        out.push(Event::Html(CowStr::Borrowed(
            "<section class=\"footnotes\">\n<ol>\n",
        )));
        for (number, note) in notes {
            out.push(Event::Html(
                format!("<li id=\"footnote-{number}\">\n").into(),
            ));
            let mut events: Vec<Event<'a>> = note
                .events
                .into_iter()
                .map(|event| linker.link(event))
                .collect();
            if referenced.contains(&note.key) {
                let back = Event::Html(
                    format!(
                        " <a href=\"#footnote-ref-{number}\" class=\"footnote-backref\">\u{21a9}</a>"
                    )
                    .into(),
                );
                // Inside the last paragraph, the arrow ends the note's text
                // instead of standing on a line of its own.
                match events.last() {
                    Some(Event::End(TagEnd::Paragraph)) => events.insert(events.len() - 1, back),
                    _ => events.push(back),
                }
            }
            out.extend(events);
            out.push(Event::Html(CowStr::Borrowed("</li>\n")));
        }
        out.push(Event::Html(CowStr::Borrowed("</ol>\n</section>\n")));
        out
    }
}

/// Turns footnote references into links, giving the first reference to each
/// note the id its back link points to.
struct Linker<'n> {
    numbers: &'n HashMap<String, usize>,
    anchored: HashSet<usize>,
    image_depth: usize,
}

impl Linker<'_> {
    fn link<'a>(&mut self, event: Event<'a>) -> Event<'a> {
        match event {
            Event::Start(Tag::Image { .. }) => self.image_depth += 1,
            Event::End(TagEnd::Image) => self.image_depth = self.image_depth.saturating_sub(1),
            Event::FootnoteReference(label) => {
                return match self.numbers.get(&label_key(&label)).copied() {
                    // Alt text is plain text: markup there would be dropped.
                    Some(number) if self.image_depth > 0 => Event::Text(number.to_string().into()),
                    Some(number) => {
                        let id = if self.anchored.insert(number) {
                            format!(" id=\"footnote-ref-{number}\"")
                        } else {
                            String::new()
                        };
                        Event::Html(
                            format!(
                                "<sup class=\"footnote-ref\"><a href=\"#footnote-{number}\"{id}>{number}</a></sup>"
                            )
                            .into(),
                        )
                    }
                    None => Event::Text(format!("[^{label}]").into()),
                };
            }
            _ => {}
        }
        event
    }
}

/// Builds the text of [`to_plain_text`].
#[derive(Default)]
struct PlainText {
    text: String,
    pending_soft_break: bool,
    column: usize,
}

impl PlainText {
    fn step(&mut self, event: Event<'_>) {
        match event {
            Event::Text(text)
            | Event::Code(text)
            | Event::Html(text)
            | Event::InlineHtml(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => self.write(&text),
            Event::SoftBreak => self.pending_soft_break = true,
            Event::HardBreak => {
                self.pending_soft_break = false;
                self.text.push('\n');
            }
            Event::Rule => self.end_block(),
            Event::FootnoteReference(_) | Event::TaskListMarker(_) => {}
            Event::Start(Tag::TableCell) => {
                if self.column > 0 {
                    self.write("\t");
                }
            }
            Event::End(TagEnd::TableCell) => self.column += 1,
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                self.column = 0;
                self.end_block();
            }
            Event::Start(tag) => {
                if is_block(&tag) {
                    self.end_block();
                }
            }
            Event::End(tag) => {
                if is_block_end(tag) {
                    self.end_block();
                }
            }
        }
    }

    fn write(&mut self, text: &str) {
        if std::mem::take(&mut self.pending_soft_break) {
            let before = self.text.chars().next_back();
            let after = text.chars().next();
            let joins_cjk = before.is_some_and(is_cjk) && after.is_some_and(is_cjk);
            if !joins_cjk && !before.is_some_and(char::is_whitespace) {
                self.text.push(' ');
            }
        }
        self.text.push_str(text);
    }

    fn end_block(&mut self) {
        self.pending_soft_break = false;
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    fn finish(mut self) -> String {
        let kept = self.text.trim_end().len();
        self.text.truncate(kept);
        self.text
    }
}

fn is_block(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_)
    )
}

fn is_block_end(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_)
    )
}

/// Chinese and Japanese are written without spaces, so a line break inside
/// a sentence must not become one (Korean uses spaces and is left out).
fn is_cjk(c: char) -> bool {
    matches!(
        c,
        '\u{3000}'..='\u{303F}'
            | '\u{3040}'..='\u{30FF}'
            | '\u{31F0}'..='\u{31FF}'
            | '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF00}'..='\u{FFEF}'
            | '\u{20000}'..='\u{3FFFF}'
    )
}
#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// Payloads from the usual XSS cheat sheets, written as an author would
    /// type them into a post or comment.
    const XSS_CORPUS: &[&str] = &[
        // Raw <script> in several spellings and encodings.
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "<ScRiPt>alert(1)</sCrIpT>",
        "<script\n>alert(1)</script\n>",
        "<scr<script>ipt>alert(1)</script>",
        "<script/xss src=https://evil.example/x.js></script>",
        "%3Cscript%3Ealert(1)%3C/script%3E",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "\\<script>alert(1)\\</script>",
        "＜script＞alert(1)＜/script＞",
        // Event handler attributes.
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=\"x\" ONERROR=\"alert(1)\">",
        "<img/src=x/onerror=alert(1)>",
        "<img src=`x` onerror=`alert(1)`>",
        "<img src=x onerror=\"&#97;lert(1)\">",
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        "<body onload=alert(1)>",
        "<details open ontoggle=alert(1)>",
        "<input onfocus=alert(1) autofocus>",
        "<video><source onerror=alert(1)></video>",
        "<div onmouseover=\"alert(1)\">hover</div>",
        // Frames, plugins, forms and document-level elements.
        "<iframe src=javascript:alert(1)></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<embed src=\"javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><button>go</button></form>",
        "<button formaction=javascript:alert(1)>go</button>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
        "<link rel=stylesheet href=https://evil.example/x.css>",
        // Styles.
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<style>@import 'https://evil.example/x.css';</style>",
        "<p style=\"background:url(javascript:alert(1))\">x</p>",
        // Markdown links with dangerous schemes.
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](%6Aavascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x]( javascript:alert(1) )",
        "[x](<java\tscript:alert(1)>)",
        "[x](\u{1}javascript:alert(1))",
        "[x](\u{FEFF}javascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](file:///etc/passwd)",
        // Autolinks, reference links and images.
        "<javascript:alert(1)>",
        "<JAVASCRIPT:alert(1)>",
        "<vbscript:msgbox(1)>",
        "<data:text/html,<script>alert(1)</script>>",
        "[x][r]\n\n[r]: javascript:alert(1)",
        "[x][r]\n\n[r]: <javascript:alert(1)> \"t\"",
        "![x][r]\n\n[r]: data:text/html,alert(1)",
        "![x](javascript:alert(1))",
        "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
        // Protocol-relative URLs, which leave the site.
        "[x](//evil.example)",
        "[x](\\\\evil.example)",
        "[x](/\\evil.example)",
        "[x](<\t//evil.example>)",
        "<a href=//evil.example>x</a>",
        // Raw anchors with dangerous hrefs, hidden by whitespace and entities.
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"  javascript:alert(1)\">x</a>",
        "<a href=\"java\tscript:alert(1)\">x</a>",
        "<a href=\"java&#x09;script:alert(1)\">x</a>",
        "<a href=\"ja\nvascript:alert(1)\">x</a>",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=\"\u{1}javascript:alert(1)\">x</a>",
        "<a href=\"\\u006aavascript:alert(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        // Parser confusion: comments, CDATA, noscript, MathML, raw-text elements.
        "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<textarea><script>alert(1)</script></textarea>",
        "<template><script>alert(1)</script></template>",
        "<xmp><img src=x onerror=alert(1)></xmp>",
        "<? echo 1 ?><img src=x onerror=alert(1)>",
        // Markdown inside HTML, and HTML inside Markdown constructs.
        "<div>\n\n*md* <img src=x onerror=alert(1)>\n\n</div>",
        "`<img src=x onerror=alert(1)>`",
        "```html\n<script>alert(1)</script>\n```",
        "> <script>alert(1)</script>\n> - <img src=x onerror=alert(1)>",
        "| <script>alert(1)</script> |\n|---|\n| [x](javascript:alert(1)) |",
        "- [x] <input onfocus=alert(1) autofocus>",
        "[^1]\n\n[^1]: <img src=x onerror=alert(1)> [x](javascript:alert(1))",
        // Attribute breaking through titles, alt text, labels and code languages.
        r#"[a](https://x.example "\" onmouseover=\"alert(1)")"#,
        r#"[a](https://x.example 'x' onmouseover='alert(1)')"#,
        r#"[a](https://x.example/"onmouseover="alert(1))"#,
        r#"![a" onerror="alert(1)](https://x.example/i.png)"#,
        r#"![a](https://x.example/i.png "\" onerror=\"alert(1)")"#,
        "```\" onmouseover=\"alert(1)\nx\n```",
        "```rust\"><script>alert(1)</script>\nx\n```",
        "[^\" onmouseover=\"alert(1)]\n\n[^\" onmouseover=\"alert(1)]: x",
    ];

    /// One tag of serialised HTML.
    #[derive(Debug)]
    struct Element {
        name: String,
        closing: bool,
        attributes: Vec<(String, String)>,
    }

    /// Splits the sanitiser's output into tags. A real tokenizer is not
    /// needed: html5ever's serialiser always escapes `<` in text and `"` in
    /// quoted attribute values. Comments, doctypes, CDATA and processing
    /// instructions come back as an element named `!`.
    fn elements(html: &str) -> Vec<Element> {
        let bytes = html.as_bytes();
        let is_space = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_whitespace);
        let mut found = Vec::new();
        let mut i = 0;
        while let Some(offset) = html[i..].find('<') {
            i += offset + 1;
            let closing = bytes.get(i) == Some(&b'/');
            if closing {
                i += 1;
            }
            if matches!(bytes.get(i), Some(b'!' | b'?')) {
                found.push(Element {
                    name: "!".to_owned(),
                    closing,
                    attributes: Vec::new(),
                });
                continue;
            }
            let start = i;
            while i < bytes.len() && !is_space(i) && !matches!(bytes[i], b'/' | b'>') {
                i += 1;
            }
            let name = html[start..i].to_ascii_lowercase();
            let mut attributes = Vec::new();
            loop {
                while is_space(i) || bytes.get(i) == Some(&b'/') {
                    i += 1;
                }
                match bytes.get(i) {
                    None => break,
                    Some(b'>') => {
                        i += 1;
                        break;
                    }
                    Some(_) => {}
                }
                let start = i;
                while i < bytes.len() && !is_space(i) && !matches!(bytes[i], b'=' | b'>' | b'/') {
                    i += 1;
                }
                let attribute = html[start..i].to_ascii_lowercase();
                while is_space(i) {
                    i += 1;
                }
                let mut value = "";
                if bytes.get(i) == Some(&b'=') {
                    i += 1;
                    while is_space(i) {
                        i += 1;
                    }
                    if let Some(&quote @ (b'"' | b'\'')) = bytes.get(i) {
                        i += 1;
                        let start = i;
                        while i < bytes.len() && bytes[i] != quote {
                            i += 1;
                        }
                        value = &html[start..i];
                        i += 1;
                    } else {
                        let start = i;
                        while i < bytes.len() && !is_space(i) && bytes[i] != b'>' {
                            i += 1;
                        }
                        value = &html[start..i];
                    }
                }
                attributes.push((attribute, decode_entities(value)));
            }
            found.push(Element {
                name,
                closing,
                attributes,
            });
        }
        found
    }

    fn decode_entities(value: &str) -> String {
        let mut decoded = String::new();
        let mut rest = value;
        while let Some(at) = rest.find('&') {
            decoded.push_str(&rest[..at]);
            rest = &rest[at..];
            let Some(end) = rest.find(';').filter(|&end| end <= 12) else {
                decoded.push('&');
                rest = &rest[1..];
                continue;
            };
            let entity = &rest[1..end];
            let character = if let Some(hex) = entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
            {
                u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
            } else if let Some(decimal) = entity.strip_prefix('#') {
                decimal.parse().ok().and_then(char::from_u32)
            } else {
                match entity {
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "nbsp" => Some('\u{a0}'),
                    "colon" => Some(':'),
                    "Tab" => Some('\t'),
                    "NewLine" => Some('\n'),
                    _ => None,
                }
            };
            match character {
                Some(character) => {
                    decoded.push(character);
                    rest = &rest[end + 1..];
                }
                None => {
                    decoded.push('&');
                    rest = &rest[1..];
                }
            }
        }
        decoded.push_str(rest);
        decoded
    }

    const FORBIDDEN_TAGS: &[&str] = &[
        "script", "style", "iframe", "svg", "math", "object", "embed", "form", "meta", "base",
        "link", "noscript", "template", "textarea", "xmp", "button", "body", "details", "video",
        "source",
    ];

    fn allowed_attributes(element: &str) -> &'static [&'static str] {
        match element {
            "a" => &["href", "title", "rel", "id", "class"],
            "img" => &["src", "alt", "title"],
            "ol" => &["start"],
            "li" => &["id"],
            "code" | "section" | "sup" => &["class"],
            "th" | "td" => &["align"],
            "input" => &["type", "checked", "disabled"],
            _ => &[],
        }
    }

    const ALLOWED_TAGS: &[&str] = &[
        "p",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "em",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "img",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "sup",
        "section",
        "input",
    ];

    /// A URL is safe if it is http(s) or mailto, or relative to the page's
    /// own origin. Whitespace and control characters are removed first, as
    /// browsers ignore some of them inside schemes.
    fn check_url(url: &str) -> Result<(), String> {
        let url: String = url
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect::<String>()
            .to_lowercase();
        let scheme = url
            .split_once(':')
            .map(|(scheme, _)| scheme)
            .filter(|scheme| {
                scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            });
        match scheme {
            Some("http" | "https" | "mailto") => Ok(()),
            Some(scheme) => Err(format!("URL with scheme {scheme:?}: {url:?}")),
            None if ["//", "\\\\", "/\\", "\\/"]
                .iter()
                .any(|p| url.starts_with(p)) =>
            {
                Err(format!("protocol-relative URL {url:?}"))
            }
            None => Ok(()),
        }
    }

    fn check_safe(html: &str) -> Result<(), String> {
        for element in elements(html) {
            let name = element.name.as_str();
            if name == "!" {
                return Err("a comment, doctype or CDATA section".to_owned());
            }
            if FORBIDDEN_TAGS.contains(&name) {
                return Err(format!("forbidden element <{name}>"));
            }
            if !ALLOWED_TAGS.contains(&name) {
                return Err(format!("unexpected element <{name}>"));
            }
            if element.closing {
                continue;
            }
            for (attribute, value) in &element.attributes {
                if attribute.starts_with("on") {
                    return Err(format!("event handler {attribute} on <{name}>"));
                }
                if !allowed_attributes(name).contains(&attribute.as_str()) {
                    return Err(format!("unexpected attribute {attribute} on <{name}>"));
                }
                match (name, attribute.as_str()) {
                    (_, "href" | "src") => check_url(value)?,
                    ("a", "rel") if value != "noopener noreferrer nofollow" => {
                        return Err(format!("rel {value:?}"));
                    }
                    ("input", "type") if value != "checkbox" => {
                        return Err(format!("input of type {value:?}"));
                    }
                    _ => {}
                }
            }
            if name == "input" && !element.attributes.iter().any(|(a, _)| a == "disabled") {
                return Err("an enabled input".to_owned());
            }
        }
        Ok(())
    }

    fn max_depth(html: &str) -> usize {
        let mut depth = 0usize;
        let mut deepest = 0;
        for element in elements(html) {
            if matches!(element.name.as_str(), "br" | "hr" | "img" | "input") {
                continue;
            }
            if element.closing {
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        deepest
    }

    #[test]
    fn the_checker_recognises_unsafe_html() {
        for unsafe_html in [
            "<script>alert(1)</script>",
            "<p onclick=\"alert(1)\">x</p>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"java&#x09;script&colon;alert(1)\">x</a>",
            "<a href=\" JAVASCRIPT:alert(1)\">x</a>",
            "<img src=\"data:image/png;base64,AAAA\">",
            "<a href=\"//evil.example\">x</a>",
            "<a href=\"/\\evil.example\">x</a>",
            "<p style=\"color: red\">x</p>",
            "<!-- x --><p>x</p>",
            "<input type=\"text\" disabled=\"\">",
            "<input type=\"checkbox\">",
            "<div>x</div>",
        ] {
            assert!(check_safe(unsafe_html).is_err(), "{unsafe_html}");
        }
        for safe_html in [
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
            "<a href=\"https://x.example/?a=1&amp;b=2\" rel=\"noopener noreferrer nofollow\">x</a>",
            "<a href=\"/posts/1\" rel=\"noopener noreferrer nofollow\">x</a>",
            "<a href=\"%6Aavascript:alert(1)\" rel=\"noopener noreferrer nofollow\">x</a>",
            "<img src=\"images/a.png\" alt=\"a\">",
        ] {
            assert_eq!(check_safe(safe_html), Ok(()), "{safe_html}");
        }
    }

    #[test]
    fn the_xss_corpus_renders_to_safe_html() {
        assert!(XSS_CORPUS.len() >= 40);
        let failures: Vec<String> = XSS_CORPUS
            .iter()
            .filter_map(|payload| {
                let html = to_safe_html(payload);
                check_safe(&html)
                    .err()
                    .map(|problem| format!("{payload:?} → {html:?}: {problem}"))
            })
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
    }

    /// The sanitiser alone must also stop every payload, in case raw HTML ever
    /// reaches it (a change to the escaping, a bug in pulldown-cmark).
    #[test]
    fn the_sanitiser_alone_stops_the_xss_corpus() {
        let failures: Vec<String> = XSS_CORPUS
            .iter()
            .filter_map(|payload| {
                let html = SANITISER.clean(payload).to_string();
                check_safe(&html)
                    .err()
                    .map(|problem| format!("{payload:?} → {html:?}: {problem}"))
            })
            .collect();
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn the_sanitiser_removes_scripts_and_styles_with_their_content() {
        for payload in [
            "<script>alert(1)</script>",
            "<style>@import 'https://evil.example/x.css';</style>",
            "<svg><script>alert(1)</script></svg>",
            "<template><script>alert(1)</script></template>",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        ] {
            let html = SANITISER.clean(payload).to_string();
            assert_eq!(html, "", "{payload}");
        }
        assert_eq!(
            SANITISER
                .clean("<img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">x</a>")
                .to_string(),
            "<img src=\"x\"><a rel=\"noopener noreferrer nofollow\">x</a>"
        );
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        assert_eq!(
            to_safe_html("Use <b>bold</b> sparingly."),
            "<p>Use &lt;b&gt;bold&lt;/b&gt; sparingly.</p>\n"
        );
        assert_eq!(
            to_safe_html("<script>alert(1)</script>"),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        );
        assert_eq!(
            to_safe_html("<div>\nblock\n</div>"),
            "<p>&lt;div&gt;\nblock\n&lt;/div&gt;</p>\n"
        );
    }

    #[test]
    fn renders_headings_emphasis_and_japanese_text() {
        assert_eq!(
            to_safe_html("**設計**の話"),
            "<p><strong>設計</strong>の話</p>\n"
        );
        assert_eq!(
            to_safe_html("# 同窓会便り\n\n*強調*と~~取り消し~~と`code`。"),
            "<h1>同窓会便り</h1>\n<p><em>強調</em>と<del>取り消し</del>と<code>code</code>。</p>\n"
        );
        assert_eq!(to_safe_html("a\\\nb\n\n---"), "<p>a<br>\nb</p>\n<hr>\n");
        assert_eq!(
            to_safe_html("> quoted"),
            "<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        );
    }

    #[test]
    fn renders_lists() {
        assert_eq!(
            to_safe_html("- one\n- two"),
            "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
        );
        assert_eq!(
            to_safe_html("3. three\n4. four"),
            "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n"
        );
    }

    #[test]
    fn links_get_rel_and_keep_titles() {
        assert_eq!(
            to_safe_html("[the post](https://example.org/p?a=1&b=2 \"A title\")"),
            "<p><a href=\"https://example.org/p?a=1&amp;b=2\" title=\"A title\" \
             rel=\"noopener noreferrer nofollow\">the post</a></p>\n"
        );
        assert_eq!(
            to_safe_html("<mailto:office@example.org> <https://example.org>"),
            "<p><a href=\"mailto:office@example.org\" rel=\"noopener noreferrer nofollow\">\
             mailto:office@example.org</a> <a href=\"https://example.org\" \
             rel=\"noopener noreferrer nofollow\">https://example.org</a></p>\n"
        );
        assert_eq!(
            to_safe_html("![写真](/media/1.jpg \"総会\")"),
            "<p><img src=\"/media/1.jpg\" alt=\"写真\" title=\"総会\"></p>\n"
        );
    }

    #[test]
    fn relative_links_survive_but_protocol_relative_ones_do_not() {
        for (markdown, href) in [
            ("[a](/posts/1)", Some("/posts/1")),
            ("[a](../news)", Some("../news")),
            ("[a](#section)", Some("#section")),
            ("[a](?page=2)", Some("?page=2")),
            ("[a](//evil.example/x)", None),
            // pulldown-cmark percent-encodes backslashes, which makes them harmless.
            ("[a](\\\\evil.example/x)", Some("%5Cevil.example/x")),
            ("[a](/\\evil.example/x)", Some("/%5Cevil.example/x")),
            ("[a](javascript:alert(1))", None),
        ] {
            let html = to_safe_html(markdown);
            let link = elements(&html)
                .into_iter()
                .find(|element| element.name == "a" && !element.closing)
                .expect("a link");
            let found = link
                .attributes
                .iter()
                .find(|(attribute, _)| attribute == "href")
                .map(|(_, value)| value.as_str());
            assert_eq!(found, href, "{markdown} → {html}");
        }
    }

    #[test]
    fn the_sanitiser_refuses_protocol_relative_urls_in_any_spelling() {
        for href in [
            "//evil.example",
            "\\\\evil.example",
            "/\\evil.example",
            "\\/evil.example",
            " //evil.example",
            "/\t/evil.example",
            "/&#10;/evil.example",
        ] {
            let html = SANITISER
                .clean(&format!("<a href=\"{href}\">x</a>"))
                .to_string();
            assert_eq!(
                html, "<a rel=\"noopener noreferrer nofollow\">x</a>",
                "{href:?}"
            );
        }
        assert_eq!(
            SANITISER.clean("<img src=\"/media/a.png\">").to_string(),
            "<img src=\"/media/a.png\">"
        );
    }

    #[test]
    fn code_blocks_keep_a_plausible_language_class() {
        assert_eq!(
            to_safe_html("```rust\nfn main() {}\n```"),
            "<pre><code class=\"language-rust\">fn main() {}\n</code></pre>\n"
        );
        assert_eq!(
            to_safe_html("```c++\nint x;\n```"),
            "<pre><code class=\"language-c++\">int x;\n</code></pre>\n"
        );
        assert_eq!(
            to_safe_html("```日本語\nx\n```"),
            "<pre><code>x\n</code></pre>\n"
        );
        assert_eq!(
            to_safe_html("```\n<b>\n```"),
            "<pre><code>&lt;b&gt;\n</code></pre>\n"
        );
    }

    #[test]
    fn tables_align_cells_without_styles() {
        assert_eq!(
            to_safe_html("| 名前 | 年 | 数 |\n|:--|:-:|--:|\n| 山田 | 2001 | 3 |"),
            "<table><thead><tr><th align=\"left\">名前</th><th align=\"center\">年</th>\
             <th align=\"right\">数</th></tr></thead><tbody>\n<tr><td align=\"left\">山田</td>\
             <td align=\"center\">2001</td><td align=\"right\">3</td></tr>\n</tbody></table>\n"
        );
        assert_eq!(
            to_safe_html("| a |\n|---|\n| b |"),
            "<table><thead><tr><th>a</th></tr></thead><tbody>\n<tr><td>b</td></tr>\n</tbody></table>\n"
        );
    }

    #[test]
    fn task_lists_render_disabled_checkboxes() {
        assert_eq!(
            to_safe_html("- [x] 会場予約\n- [ ] 案内状"),
            "<ul>\n<li><input disabled=\"\" type=\"checkbox\" checked=\"\">\n会場予約</li>\n\
             <li><input disabled=\"\" type=\"checkbox\">\n案内状</li>\n</ul>\n"
        );
    }

    #[test]
    fn footnotes_are_numbered_collected_and_linked_both_ways() {
        let html = to_safe_html(
            "First[^b], second[^a], again[^B].\n\n[^a]: Note *a*.\n[^b]: Note b.\n[^b]: Ignored.\n[^c]: Unused.",
        );
        assert_eq!(
            html,
            "<p>First<sup class=\"footnote-ref\"><a href=\"#footnote-1\" id=\"footnote-ref-1\" \
             rel=\"noopener noreferrer nofollow\">1</a></sup>, second<sup class=\"footnote-ref\">\
             <a href=\"#footnote-2\" id=\"footnote-ref-2\" rel=\"noopener noreferrer nofollow\">2</a>\
             </sup>, again<sup class=\"footnote-ref\"><a href=\"#footnote-1\" \
             rel=\"noopener noreferrer nofollow\">1</a></sup>.</p>\n\
             <section class=\"footnotes\">\n<ol>\n\
             <li id=\"footnote-1\">\n<p>Note b. <a href=\"#footnote-ref-1\" class=\"footnote-backref\" \
             rel=\"noopener noreferrer nofollow\">\u{21a9}</a></p>\n</li>\n\
             <li id=\"footnote-2\">\n<p>Note <em>a</em>. <a href=\"#footnote-ref-2\" \
             class=\"footnote-backref\" rel=\"noopener noreferrer nofollow\">\u{21a9}</a></p>\n</li>\n\
             <li id=\"footnote-3\">\n<p>Unused.</p>\n</li>\n\
             </ol>\n</section>\n"
        );
        assert_eq!(check_safe(&html), Ok(()));
    }

    #[test]
    fn footnote_labels_never_become_ids() {
        let html = to_safe_html("x[^app]\n\n[^app]: y");
        assert!(!html.contains("\"app\""), "{html}");
        assert!(html.contains("id=\"footnote-1\""), "{html}");
    }

    #[test]
    fn plain_text_keeps_japanese_and_drops_markup() {
        assert_eq!(
            to_plain_text("# 同窓会便り\n\n**設計**の話。\n続きの*文*。"),
            "同窓会便り\n設計の話。続きの文。"
        );
        assert_eq!(
            to_plain_text("A line\nwrapped, then\n日本語の文"),
            "A line wrapped, then 日本語の文"
        );
    }

    #[test]
    fn plain_text_shows_links_as_text_and_images_as_alt_text() {
        assert_eq!(
            to_plain_text(
                "See [the **post**](https://example.org/p \"t\") and ![a diagram](/d.png), \
                 or <https://example.org>."
            ),
            "See the post and a diagram, or https://example.org."
        );
        assert_eq!(
            to_plain_text("[![logo](/l.png)](https://example.org)"),
            "logo"
        );
    }

    #[test]
    fn plain_text_separates_blocks_with_newlines() {
        let markdown = "Intro\n\n> quoted\n\n- one\n- [x] two\n\n1. three\n\n---\n\n\
                        Use `cargo test`:\n\n```sh\ncargo build\ncargo test\n```\n\n\
                        | a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1]. <b>raw</b>\n\n[^1]: The note.";
        assert_eq!(
            to_plain_text(markdown),
            "Intro\nquoted\none\ntwo\nthree\nUse cargo test:\ncargo build\ncargo test\n\
             a\tb\n1\t2\nNote. <b>raw</b>\nThe note."
        );
        assert_eq!(to_plain_text(""), "");
        assert_eq!(to_plain_text("line  \nbreak"), "line\nbreak");
    }

    #[test]
    fn plain_text_has_no_markup() {
        let text = to_plain_text(
            "## **Bold** _em_ ~~del~~ [link](https://x.example) ![img](/i.png) `code`",
        );
        assert_eq!(text, "Bold em del link img code");
    }

    #[test]
    fn deep_nesting_is_flattened_quickly() {
        const N: usize = 50_000;
        let cases = [
            ">".repeat(N) + " deep",
            "> ".repeat(N) + "deep",
            "- ".repeat(N) + "deep",
            "1. ".repeat(N) + "deep",
            "[".repeat(N) + "deep",
            "[".repeat(N) + "deep" + &"](/x)".repeat(N),
            "![".repeat(N) + "deep" + &"](/x)".repeat(N),
            "*".repeat(N) + "deep" + &"*".repeat(N),
            "*a **b ~~c ".repeat(N / 3) + "deep",
            "> - *".repeat(N / 3) + "deep",
        ];
        let started = Instant::now();
        for markdown in &cases {
            let html = to_safe_html(markdown);
            assert!(html.contains("deep"), "{}", &html[..html.len().min(200)]);
            assert!(
                max_depth(&html) <= MAX_NESTING + 8,
                "depth {}",
                max_depth(&html)
            );
            assert_eq!(check_safe(&html), Ok(()));
            assert!(to_plain_text(markdown).contains("deep"));
        }
        // Without flattening, the sanitiser alone takes minutes on these.
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    }
}
