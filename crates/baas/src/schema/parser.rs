//! The Prisma schema language, as far as Tandem reads it: a lexer and a recursive-descent
//! parser producing a syntax tree with line:column positions. Meaning (types, relations,
//! attributes) is checked afterwards, in `schema::build`.
//!
//! `datasource` and `generator` blocks are parsed and dropped, so an existing `schema.prisma`
//! works as is.

use std::fmt;

/// A 1-based position in the schema file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// A problem at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub models: Vec<ModelBlock>,
    pub enums: Vec<EnumBlock>,
    /// ZModel's `type` blocks: mixins (`model A with T`), or typed JSON.
    pub types: Vec<ModelBlock>,
    /// `view` blocks: recognised so they can be refused with a position.
    pub unsupported: Vec<(String, Pos)>,
    /// ZModel's `import "./other"`: the files whose declarations join this one's (read by the
    /// schema loader, which gives the parser all of them at once).
    pub imports: Vec<(String, Pos)>,
    /// The `datasource` block's settings Tandem reads (`provider`, `schemas`,
    /// `defaultSchema`); the others (`url`, …) are the deployment's business.
    pub datasource: Option<Datasource>,
}

/// `datasource db { provider = "postgresql"  schemas = ["public", "billing"] … }`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Datasource {
    pub pos: Pos,
    pub provider: Option<String>,
    pub schemas: Option<Vec<String>>,
    pub default_schema: Option<(String, Pos)>,
}

/// `enum Role { ADMIN MEMBER }`: its values in the order declared, each with its attributes
/// (`@map`), and the block's attributes (`@@map`).
#[derive(Debug, Clone, PartialEq)]
pub struct EnumBlock {
    pub name: String,
    pub pos: Pos,
    pub values: Vec<(String, Pos, Vec<Attribute>)>,
    pub attributes: Vec<Attribute>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelBlock {
    pub name: String,
    pub pos: Pos,
    /// ZModel's mixins: `model Post with CommonFields, Audited { … }`.
    pub mixins: Vec<(String, Pos)>,
    /// ZModel's delegate base: `model Video extends Asset { … }`.
    pub base: Option<(String, Pos)>,
    pub fields: Vec<FieldDecl>,
    /// `@@unique`, `@@index`, `@@map`, `@@id`, …
    pub attributes: Vec<Attribute>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    pub name: String,
    pub pos: Pos,
    pub type_name: String,
    pub type_pos: Pos,
    /// `Unsupported("xml")`: the database type the column has (`type_name` is `Unsupported`).
    pub raw_type: Option<String>,
    pub optional: bool,
    pub list: bool,
    pub attributes: Vec<Attribute>,
    /// A field a delegate sub-model inherits (`model Video extends Asset`): the model that
    /// declares it, whose table holds its column.
    pub inherited: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Without the `@`/`@@`, dotted for native types (`db.VarChar`).
    pub name: String,
    pub pos: Pos,
    pub args: Vec<Arg>,
}

impl Attribute {
    /// The argument with this name, or the `position`-th unnamed one.
    pub fn arg(&self, name: &str, position: usize) -> Option<&Arg> {
        self.args
            .iter()
            .find(|a| a.name.as_deref() == Some(name))
            .or_else(|| self.args.iter().filter(|a| a.name.is_none()).nth(position))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    pub name: Option<String>,
    pub pos: Pos,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    String(String),
    Number(String),
    Ident(String),
    Call(String, Vec<Arg>),
    Array(Vec<Expr>),
    /// `value.name` (ZenStack's member access: `auth().id`, `author.tenant_id`).
    Member(Box<Expr>, String, Pos),
    /// `a == b`, `a && b`, … (ZenStack's policy expressions).
    Binary(BinOp, Box<Expr>, Box<Expr>, Pos),
    /// `!a`
    Not(Box<Expr>, Pos),
    /// `relation?[cond]` (some), `relation![cond]` (every), `relation^[cond]` (none): ZModel's
    /// collection predicates.
    Collection(Box<Expr>, CollectionOp, Box<Expr>, Pos),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CollectionOp {
    Some,
    None,
    Every,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    Num(String),
    At,
    AtAt,
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Colon,
    Question,
    Equals,
    Dot,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    AndAnd,
    OrOr,
    Bang,
    Caret,
    Newline,
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "`{s}`"),
            Tok::Str(s) => write!(f, "\"{s}\""),
            Tok::Num(s) => write!(f, "{s}"),
            Tok::At => f.write_str("`@`"),
            Tok::AtAt => f.write_str("`@@`"),
            Tok::LBrace => f.write_str("`{`"),
            Tok::RBrace => f.write_str("`}`"),
            Tok::LParen => f.write_str("`(`"),
            Tok::RParen => f.write_str("`)`"),
            Tok::LBracket => f.write_str("`[`"),
            Tok::RBracket => f.write_str("`]`"),
            Tok::Comma => f.write_str("`,`"),
            Tok::Colon => f.write_str("`:`"),
            Tok::Question => f.write_str("`?`"),
            Tok::Equals => f.write_str("`=`"),
            Tok::Dot => f.write_str("`.`"),
            Tok::EqEq => f.write_str("`==`"),
            Tok::NotEq => f.write_str("`!=`"),
            Tok::Lt => f.write_str("`<`"),
            Tok::Le => f.write_str("`<=`"),
            Tok::Gt => f.write_str("`>`"),
            Tok::Ge => f.write_str("`>=`"),
            Tok::AndAnd => f.write_str("`&&`"),
            Tok::OrOr => f.write_str("`||`"),
            Tok::Bang => f.write_str("`!`"),
            Tok::Caret => f.write_str("`^`"),
            Tok::Newline => f.write_str("end of line"),
            Tok::Eof => f.write_str("end of file"),
        }
    }
}

fn lex(source: &str) -> Result<Vec<(Tok, Pos)>, SyntaxError> {
    let mut out = Vec::new();
    let chars: Vec<char> = source.chars().collect();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, col };
        let advance = |n: usize, i: &mut usize, col: &mut u32| {
            *i += n;
            *col += n as u32;
        };
        match c {
            '\n' => {
                out.push((Tok::Newline, pos));
                i += 1;
                line += 1;
                col = 1;
            }
            c if c.is_whitespace() => advance(1, &mut i, &mut col),
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                    col += 1;
                }
            }
            // ZModel writes strings in single quotes too (`@@allow('read', …)`).
            '"' | '\'' => {
                let mut text = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None | Some('\n') => {
                            return Err(SyntaxError {
                                pos,
                                message: "unterminated string".into(),
                            });
                        }
                        Some(q) if *q == c => break,
                        Some('\\') => {
                            let escaped = chars.get(j + 1).copied().unwrap_or('\\');
                            text.push(match escaped {
                                'n' => '\n',
                                't' => '\t',
                                other => other,
                            });
                            j += 2;
                        }
                        Some(other) => {
                            text.push(*other);
                            j += 1;
                        }
                    }
                }
                out.push((Tok::Str(text), pos));
                let n = j + 1 - i;
                advance(n, &mut i, &mut col);
            }
            '@' if chars.get(i + 1) == Some(&'@') => {
                out.push((Tok::AtAt, pos));
                advance(2, &mut i, &mut col);
            }
            '@' => {
                out.push((Tok::At, pos));
                advance(1, &mut i, &mut col);
            }
            '=' | '!' | '<' | '>' | '&' | '|'
                if {
                    let pair: String = chars[i..chars.len().min(i + 2)].iter().collect();
                    matches!(pair.as_str(), "==" | "!=" | "<=" | ">=" | "&&" | "||")
                } =>
            {
                let tok = match (c, chars[i + 1]) {
                    ('=', _) => Tok::EqEq,
                    ('!', _) => Tok::NotEq,
                    ('<', _) => Tok::Le,
                    ('>', _) => Tok::Ge,
                    ('&', _) => Tok::AndAnd,
                    _ => Tok::OrOr,
                };
                out.push((tok, pos));
                advance(2, &mut i, &mut col);
            }
            '!' | '<' | '>' | '^' => {
                out.push((
                    match c {
                        '!' => Tok::Bang,
                        '<' => Tok::Lt,
                        '>' => Tok::Gt,
                        _ => Tok::Caret,
                    },
                    pos,
                ));
                advance(1, &mut i, &mut col);
            }
            '{' | '}' | '(' | ')' | '[' | ']' | ',' | ':' | '?' | '=' | '.' => {
                out.push((
                    match c {
                        '{' => Tok::LBrace,
                        '}' => Tok::RBrace,
                        '(' => Tok::LParen,
                        ')' => Tok::RParen,
                        '[' => Tok::LBracket,
                        ']' => Tok::RBracket,
                        ',' => Tok::Comma,
                        ':' => Tok::Colon,
                        '?' => Tok::Question,
                        '=' => Tok::Equals,
                        _ => Tok::Dot,
                    },
                    pos,
                ));
                advance(1, &mut i, &mut col);
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let mut j = i + 1;
                while chars
                    .get(j)
                    .is_some_and(|d| d.is_ascii_digit() || *d == '.')
                {
                    j += 1;
                }
                out.push((Tok::Num(chars[i..j].iter().collect()), pos));
                advance(j - i, &mut i, &mut col);
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while chars
                    .get(j)
                    .is_some_and(|d| d.is_alphanumeric() || *d == '_')
                {
                    j += 1;
                }
                out.push((Tok::Ident(chars[i..j].iter().collect()), pos));
                advance(j - i, &mut i, &mut col);
            }
            other => {
                return Err(SyntaxError {
                    pos,
                    message: format!("unexpected character `{other}`"),
                });
            }
        }
    }
    out.push((Tok::Eof, Pos { line, col }));
    Ok(out)
}

/// How deep a policy expression may nest (`!`, parentheses, operands), so a pathological
/// schema is refused rather than overflowing the stack.
const MAX_EXPR_DEPTH: usize = 64;

struct Parser {
    toks: Vec<(Tok, Pos)>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.at.min(self.toks.len() - 1)].0
    }

    fn pos(&self) -> Pos {
        self.toks[self.at.min(self.toks.len() - 1)].1
    }

    fn bump(&mut self) -> (Tok, Pos) {
        let t = self.toks[self.at.min(self.toks.len() - 1)].clone();
        if self.at < self.toks.len() {
            self.at += 1;
        }
        t
    }

    fn skip_newlines(&mut self) {
        while *self.peek() == Tok::Newline {
            self.at += 1;
        }
    }

    fn error<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            pos: self.pos(),
            message: message.into(),
        })
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Pos, SyntaxError> {
        if *self.peek() == tok {
            Ok(self.bump().1)
        } else {
            self.error(format!("expected {what}, found {}", self.peek()))
        }
    }

    fn ident(&mut self, what: &str) -> Result<(String, Pos), SyntaxError> {
        match self.peek().clone() {
            Tok::Ident(name) => {
                let pos = self.bump().1;
                Ok((name, pos))
            }
            other => self.error(format!("expected {what}, found {other}")),
        }
    }

    fn file(&mut self) -> Result<File, SyntaxError> {
        let mut file = File {
            models: Vec::new(),
            enums: Vec::new(),
            types: Vec::new(),
            unsupported: Vec::new(),
            imports: Vec::new(),
            datasource: None,
        };
        loop {
            self.skip_newlines();
            match self.peek().clone() {
                Tok::Eof => return Ok(file),
                Tok::Ident(keyword) => match keyword.as_str() {
                    "model" => {
                        self.bump();
                        file.models.push(self.model()?);
                    }
                    "datasource" => {
                        let pos = self.bump().1;
                        self.ident("a block name")?;
                        file.datasource = Some(self.datasource(pos)?);
                    }
                    // ZModel's `plugin` blocks configure ZenStack's generators: nothing here.
                    "generator" | "plugin" => {
                        self.bump();
                        self.ident("a block name")?;
                        self.skip_block()?;
                    }
                    "enum" => {
                        self.bump();
                        file.enums.push(self.enum_block()?);
                    }
                    "type" => {
                        self.bump();
                        file.types.push(self.model()?);
                    }
                    "import" => {
                        let pos = self.bump().1;
                        match self.peek().clone() {
                            Tok::Str(path) => {
                                self.bump();
                                file.imports.push((path, pos));
                            }
                            other => {
                                return self.error(format!(
                                    "expected the imported file as a string (`import \"./other\"`), found {other}"
                                ));
                            }
                        }
                        self.end_of_line()?;
                    }
                    "view" => {
                        let pos = self.bump().1;
                        let (name, _) = self.ident("a block name")?;
                        file.unsupported.push((format!("{keyword} {name}"), pos));
                        self.skip_block()?;
                    }
                    other => {
                        return self.error(format!(
                            "expected `model`, `enum`, `datasource` or `generator`, found `{other}`"
                        ));
                    }
                },
                other => {
                    return self.error(format!(
                        "expected `model`, `enum`, `datasource` or `generator`, found {other}"
                    ));
                }
            }
        }
    }

    /// A datasource's `key = value` lines; values Tandem does not read may be anything.
    fn datasource(&mut self, pos: Pos) -> Result<Datasource, SyntaxError> {
        let mut out = Datasource {
            pos,
            ..Datasource::default()
        };
        self.skip_newlines();
        self.expect(Tok::LBrace, "`{`")?;
        loop {
            self.skip_newlines();
            if *self.peek() == Tok::RBrace {
                self.bump();
                return Ok(out);
            }
            let (key, _) = self.ident("a setting")?;
            self.expect(Tok::Equals, "`=`")?;
            let at = self.pos();
            let value = self.expr()?;
            let strings = |v: &Expr| match v {
                Expr::String(s) => Some(vec![s.clone()]),
                Expr::Array(items) => items
                    .iter()
                    .map(|i| match i {
                        Expr::String(s) => Some(s.clone()),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            };
            match (key.as_str(), &value) {
                ("provider", Expr::String(p)) => out.provider = Some(p.clone()),
                ("defaultSchema", Expr::String(d)) => out.default_schema = Some((d.clone(), at)),
                ("schemas", v) => match strings(v) {
                    Some(list) => out.schemas = Some(list),
                    None => return self.error("`schemas` is a list of strings"),
                },
                _ => {}
            }
        }
    }

    fn skip_block(&mut self) -> Result<(), SyntaxError> {
        self.skip_newlines();
        self.expect(Tok::LBrace, "`{`")?;
        let mut depth = 1;
        while depth > 0 {
            match self.bump().0 {
                Tok::LBrace => depth += 1,
                Tok::RBrace => depth -= 1,
                Tok::Eof => return self.error("missing `}` at the end of the block"),
                _ => {}
            }
        }
        Ok(())
    }

    fn model(&mut self) -> Result<ModelBlock, SyntaxError> {
        let (name, pos) = self.ident("a model name")?;
        let mut base = None;
        let mut mixins = Vec::new();
        loop {
            match self.peek().clone() {
                Tok::Ident(word) if word == "extends" && base.is_none() => {
                    self.bump();
                    base = Some(self.ident("the base model's name")?);
                }
                Tok::Ident(word) if word == "with" && mixins.is_empty() => {
                    self.bump();
                    mixins.push(self.ident("a type's name")?);
                    // ZModel separates mixins with commas or spaces (`with A, B` / `with A B`).
                    loop {
                        match self.peek() {
                            Tok::Comma => {
                                self.bump();
                                mixins.push(self.ident("a type's name")?);
                            }
                            Tok::Ident(next) if next != "extends" => {
                                mixins.push(self.ident("a type's name")?);
                            }
                            _ => break,
                        }
                    }
                }
                _ => break,
            }
        }
        self.skip_newlines();
        self.expect(Tok::LBrace, "`{` after the model name")?;
        let mut model = ModelBlock {
            name,
            pos,
            mixins,
            base,
            fields: Vec::new(),
            attributes: Vec::new(),
        };
        loop {
            self.skip_newlines();
            match self.peek().clone() {
                Tok::RBrace => {
                    self.bump();
                    return Ok(model);
                }
                Tok::AtAt => {
                    self.bump();
                    model.attributes.push(self.attribute()?);
                    self.end_of_line()?;
                }
                Tok::Ident(_) => {
                    model.fields.push(self.field()?);
                }
                Tok::Eof => {
                    return self
                        .error(format!("missing `}}` at the end of model `{}`", model.name));
                }
                other => {
                    return self.error(format!("expected a field or `@@attribute`, found {other}"));
                }
            }
        }
    }

    fn enum_block(&mut self) -> Result<EnumBlock, SyntaxError> {
        let (name, pos) = self.ident("an enum name")?;
        self.skip_newlines();
        self.expect(Tok::LBrace, "`{` after the enum name")?;
        let mut block = EnumBlock {
            name,
            pos,
            values: Vec::new(),
            attributes: Vec::new(),
        };
        loop {
            self.skip_newlines();
            match self.peek().clone() {
                Tok::RBrace => {
                    self.bump();
                    return Ok(block);
                }
                Tok::AtAt => {
                    self.bump();
                    block.attributes.push(self.attribute()?);
                    self.end_of_line()?;
                }
                Tok::Ident(value) => {
                    let value_pos = self.bump().1;
                    let mut attributes = Vec::new();
                    while *self.peek() == Tok::At {
                        self.bump();
                        attributes.push(self.attribute()?);
                    }
                    // ZModel also takes several values on one line (`enum Role { A B }`).
                    block.values.push((value, value_pos, attributes));
                }
                Tok::Eof => {
                    return self.error(format!("missing `}}` at the end of enum `{}`", block.name));
                }
                other => {
                    return self.error(format!("expected an enum value, found {other}"));
                }
            }
        }
    }

    fn end_of_line(&mut self) -> Result<(), SyntaxError> {
        match self.peek() {
            Tok::Newline | Tok::RBrace | Tok::Eof => Ok(()),
            other => self.error(format!("expected the end of the line, found {other}")),
        }
    }

    fn field(&mut self) -> Result<FieldDecl, SyntaxError> {
        let (name, pos) = self.ident("a field name")?;
        let (type_name, type_pos) = match self.peek().clone() {
            Tok::Ident(t) => {
                let pos = self.bump().1;
                (t, pos)
            }
            other => {
                return self.error(format!("expected a type for field `{name}`, found {other}"));
            }
        };
        let mut raw_type = None;
        if type_name == "Unsupported" && *self.peek() == Tok::LParen {
            let args = self.args()?;
            match args.as_slice() {
                [
                    Arg {
                        name: None,
                        value: Expr::String(raw),
                        ..
                    },
                ] => raw_type = Some(raw.clone()),
                _ => {
                    return self.error(
                        "`Unsupported` takes the database type as one string: `Unsupported(\"xml\")`",
                    );
                }
            }
        }
        let mut field = FieldDecl {
            name,
            pos,
            type_name,
            type_pos,
            raw_type,
            optional: false,
            list: false,
            attributes: Vec::new(),
            inherited: None,
        };
        if *self.peek() == Tok::Question {
            self.bump();
            field.optional = true;
        } else if *self.peek() == Tok::LBracket {
            self.bump();
            self.expect(Tok::RBracket, "`]`")?;
            field.list = true;
            // ZModel's optional list (`String[]?`), in `type`s for typed JSON.
            if *self.peek() == Tok::Question {
                self.bump();
                field.optional = true;
            }
        }
        while *self.peek() == Tok::At {
            self.bump();
            field.attributes.push(self.attribute()?);
        }
        self.end_of_line()?;
        Ok(field)
    }

    fn attribute(&mut self) -> Result<Attribute, SyntaxError> {
        let (mut name, pos) = self.ident("an attribute name")?;
        while *self.peek() == Tok::Dot {
            self.bump();
            let (part, _) = self.ident("an attribute name")?;
            name.push('.');
            name.push_str(&part);
        }
        let args = if *self.peek() == Tok::LParen {
            self.args()?
        } else {
            Vec::new()
        };
        Ok(Attribute { name, pos, args })
    }

    fn args(&mut self) -> Result<Vec<Arg>, SyntaxError> {
        self.expect(Tok::LParen, "`(`")?;
        let mut args = Vec::new();
        loop {
            self.skip_newlines();
            if *self.peek() == Tok::RParen {
                self.bump();
                return Ok(args);
            }
            let pos = self.pos();
            let name = match (
                self.peek().clone(),
                self.toks.get(self.at + 1).map(|t| &t.0),
            ) {
                (Tok::Ident(n), Some(Tok::Colon)) => {
                    self.bump();
                    self.bump();
                    Some(n)
                }
                _ => None,
            };
            let value = self.expr()?;
            args.push(Arg { name, pos, value });
            self.skip_newlines();
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RParen => {}
                other => return self.error(format!("expected `,` or `)`, found {other}")),
            }
        }
    }

    /// An attribute argument: a value, or one of ZenStack's policy expressions.
    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        self.or_expr()
    }

    /// `&&` and `||`: one precedence level, left to right, as in ZModel (`a || b && c` is
    /// `(a || b) && c`).
    fn or_expr(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.equality()?;
        loop {
            let op = match self.peek() {
                Tok::AndAnd => BinOp::And,
                Tok::OrOr => BinOp::Or,
                _ => return Ok(left),
            };
            let pos = self.bump().1;
            self.skip_newlines();
            let right = self.equality()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right), pos);
        }
    }

    /// `==`, `!=`; below them `<`, `<=`, `>`, `>=`; below those `in` (ZModel's order).
    fn equality(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(
            &[(Tok::EqEq, BinOp::Eq), (Tok::NotEq, BinOp::Ne)],
            Self::relational,
        )
    }

    fn relational(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(
            &[
                (Tok::Lt, BinOp::Lt),
                (Tok::Le, BinOp::Le),
                (Tok::Gt, BinOp::Gt),
                (Tok::Ge, BinOp::Ge),
            ],
            Self::membership,
        )
    }

    fn membership(&mut self) -> Result<Expr, SyntaxError> {
        self.binary_level(&[(Tok::Ident("in".into()), BinOp::In)], Self::unary)
    }

    fn binary_level(
        &mut self,
        ops: &[(Tok, BinOp)],
        next: fn(&mut Self) -> Result<Expr, SyntaxError>,
    ) -> Result<Expr, SyntaxError> {
        let mut left = next(self)?;
        while let Some(op) = ops
            .iter()
            .find(|(tok, _)| tok == self.peek())
            .map(|(_, op)| *op)
        {
            let pos = self.bump().1;
            self.skip_newlines();
            let right = next(self)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right), pos);
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return self.error(format!(
                "the expression nests deeper than {MAX_EXPR_DEPTH} levels"
            ));
        }
        let out = self.unary_inner();
        self.depth -= 1;
        out
    }

    fn unary_inner(&mut self) -> Result<Expr, SyntaxError> {
        if *self.peek() == Tok::Bang {
            let pos = self.bump().1;
            let inner = self.unary()?;
            return Ok(Expr::Not(Box::new(inner), pos));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Result<Expr, SyntaxError> {
        let mut value = self.primary()?;
        loop {
            let next = self.toks.get(self.at + 1).map(|t| &t.0);
            let collection = match (self.peek(), next) {
                (Tok::Question, Some(Tok::LBracket)) => Some(CollectionOp::Some),
                (Tok::Bang, Some(Tok::LBracket)) => Some(CollectionOp::Every),
                (Tok::Caret, Some(Tok::LBracket)) => Some(CollectionOp::None),
                _ => None,
            };
            if let Some(op) = collection {
                let pos = self.bump().1;
                self.bump();
                self.skip_newlines();
                let condition = self.expr()?;
                self.skip_newlines();
                self.expect(Tok::RBracket, "`]` closing the collection condition")?;
                value = Expr::Collection(Box::new(value), op, Box::new(condition), pos);
            } else if *self.peek() == Tok::Dot {
                let pos = self.bump().1;
                let (name, _) = self.ident("a field name after `.`")?;
                value = Expr::Member(Box::new(value), name, pos);
            } else {
                return Ok(value);
            }
        }
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        match self.peek().clone() {
            Tok::LParen => {
                self.bump();
                self.skip_newlines();
                let inner = self.expr()?;
                self.skip_newlines();
                self.expect(Tok::RParen, "`)`")?;
                Ok(inner)
            }
            Tok::Str(s) => {
                self.bump();
                Ok(Expr::String(s))
            }
            Tok::Num(n) => {
                self.bump();
                Ok(Expr::Number(n))
            }
            Tok::LBracket => {
                self.bump();
                let mut items = Vec::new();
                loop {
                    self.skip_newlines();
                    if *self.peek() == Tok::RBracket {
                        self.bump();
                        return Ok(Expr::Array(items));
                    }
                    items.push(self.expr()?);
                    self.skip_newlines();
                    match self.peek() {
                        Tok::Comma => {
                            self.bump();
                        }
                        Tok::RBracket => {}
                        other => return self.error(format!("expected `,` or `]`, found {other}")),
                    }
                }
            }
            Tok::Ident(name) => {
                self.bump();
                if *self.peek() == Tok::LParen {
                    let args = self.args()?;
                    Ok(Expr::Call(name, args))
                } else {
                    Ok(Expr::Ident(name))
                }
            }
            other => self.error(format!("expected a value, found {other}")),
        }
    }
}

/// `expr` written back as schema text; every operation is parenthesised, so the grouping
/// survives whatever the reader's precedence.
pub fn expr_text(expr: &Expr) -> String {
    let quote = |s: &str| {
        format!(
            "\"{}\"",
            s.replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\n', "\\n")
        )
    };
    match expr {
        Expr::String(s) => quote(s),
        Expr::Number(n) | Expr::Ident(n) => n.clone(),
        Expr::Call(name, args) => {
            let args: Vec<String> = args
                .iter()
                .map(|a| match &a.name {
                    Some(n) => format!("{n}: {}", expr_text(&a.value)),
                    None => expr_text(&a.value),
                })
                .collect();
            format!("{name}({})", args.join(", "))
        }
        Expr::Array(items) => format!(
            "[{}]",
            items.iter().map(expr_text).collect::<Vec<_>>().join(", ")
        ),
        Expr::Member(base, name, _) => format!("{}.{name}", expr_text(base)),
        Expr::Not(inner, _) => format!("!({})", expr_text(inner)),
        Expr::Binary(op, a, b, _) => {
            let op = match op {
                BinOp::Eq => "==",
                BinOp::Ne => "!=",
                BinOp::Lt => "<",
                BinOp::Le => "<=",
                BinOp::Gt => ">",
                BinOp::Ge => ">=",
                BinOp::In => "in",
                BinOp::And => "&&",
                BinOp::Or => "||",
            };
            format!("({} {op} {})", expr_text(a), expr_text(b))
        }
        Expr::Collection(base, op, inner, _) => {
            let mark = match op {
                CollectionOp::Some => '?',
                CollectionOp::Every => '!',
                CollectionOp::None => '^',
            };
            format!("{}{mark}[{}]", expr_text(base), expr_text(inner))
        }
    }
}

pub fn parse(source: &str) -> Result<File, SyntaxError> {
    let toks = lex(source)?;
    Parser {
        toks,
        at: 0,
        depth: 0,
    }
    .file()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"
// An app's schema, as ROQ generates it.
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "prisma-client-js"
}

model book {
  id        String   @id @default(uuid())
  title     String   @db.VarChar(255)
  pages     Int?
  price     Float    @default(1.5)
  author_id String
  author    user     @relation(fields: [author_id], references: [id], onDelete: Cascade)
  tags      String[]

  @@unique([title, author_id])
  @@map("books")
}
"#;

    #[test]
    fn parses_models_and_drops_datasource_and_generator() {
        let file = parse(SCHEMA).unwrap();
        assert_eq!(file.models.len(), 1);
        let book = &file.models[0];
        assert_eq!(book.name, "book");
        assert_eq!(book.pos, Pos { line: 12, col: 7 });
        let names: Vec<&str> = book.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "title",
                "pages",
                "price",
                "author_id",
                "author",
                "tags"
            ]
        );
        assert!(book.fields[2].optional);
        assert!(book.fields[6].list);
        assert_eq!(book.fields[1].attributes[0].name, "db.VarChar");
        let relation = &book.fields[5].attributes[0];
        assert_eq!(relation.name, "relation");
        assert_eq!(
            relation.arg("fields", 99).unwrap().value,
            Expr::Array(vec![Expr::Ident("author_id".into())])
        );
        assert_eq!(
            relation.arg("onDelete", 99).unwrap().value,
            Expr::Ident("Cascade".into())
        );
        assert_eq!(book.attributes.len(), 2);
        assert_eq!(
            book.attributes[1].arg("name", 0).unwrap().value,
            Expr::String("books".into())
        );
    }

    fn policy(source: &str) -> Expr {
        let file = parse(&format!(
            "model a {{\n  id String @id\n  @@allow('read', {source})\n}}"
        ))
        .unwrap_or_else(|e| panic!("{source}: {}: {}", e.pos, e.message));
        file.models[0].attributes[0].args[1].value.clone()
    }

    fn at(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    #[test]
    fn policy_expressions_parse_with_precedence_and_positions() {
        let ident = |n: &str| Box::new(Expr::Ident(n.into()));
        let auth = || Box::new(Expr::Call("auth".into(), vec![]));
        // `&&` and `||` share one level, left to right (ZModel's grammar); comparisons bind
        // tighter.
        assert_eq!(
            policy("a || b && !c"),
            Expr::Binary(
                BinOp::And,
                Box::new(Expr::Binary(BinOp::Or, ident("a"), ident("b"), at(3, 21))),
                Box::new(Expr::Not(ident("c"), at(3, 29))),
                at(3, 26)
            )
        );
        assert!(matches!(
            policy("x == 1 || y < 2"),
            Expr::Binary(BinOp::Or, l, r, _)
                if matches!(*l, Expr::Binary(BinOp::Eq, ..)) && matches!(*r, Expr::Binary(BinOp::Lt, ..))
        ));
        assert_eq!(
            policy("auth().tenant_id == tenant_id"),
            Expr::Binary(
                BinOp::Eq,
                Box::new(Expr::Member(auth(), "tenant_id".into(), at(3, 25))),
                ident("tenant_id"),
                at(3, 36)
            )
        );
        assert_eq!(
            policy("members?[user == auth()] && (x != null)"),
            Expr::Binary(
                BinOp::And,
                Box::new(Expr::Collection(
                    ident("members"),
                    CollectionOp::Some,
                    Box::new(Expr::Binary(BinOp::Eq, ident("user"), auth(), at(3, 33))),
                    at(3, 26)
                )),
                Box::new(Expr::Binary(
                    BinOp::Ne,
                    ident("x"),
                    ident("null"),
                    at(3, 50)
                )),
                at(3, 44)
            )
        );
        assert!(matches!(
            policy("tags![x in ['a', 'b']]"),
            Expr::Collection(_, CollectionOp::Every, _, _)
        ));
        // Written back with every operation in parentheses, it parses to the same tree.
        for source in [
            "a || b && !c",
            "members?[user == auth()] && (x != \"q\\\"\")",
            "auth().n >= -2",
        ] {
            let text = expr_text(&policy(source));
            let again = policy(&text);
            assert_eq!(expr_text(&again), text, "{source} → {text}");
        }
        assert_eq!(expr_text(&policy("a || b && !c")), "((a || b) && !(c))");
        assert!(matches!(
            policy("items^[n >= 1]"),
            Expr::Collection(_, CollectionOp::None, _, _)
        ));
        assert!(matches!(policy("n < 3"), Expr::Binary(BinOp::Lt, _, _, _)));
        let unclosed =
            parse("model a {\n  id String @id\n  @@allow('read', members?[x == 1)\n}").unwrap_err();
        assert_eq!(unclosed.pos, at(3, 34));
        let deep = format!(
            "model a {{\n  id String @id\n  @@allow('read', {}x{})\n}}",
            "(".repeat(500),
            ")".repeat(500)
        );
        assert!(
            parse(&deep)
                .unwrap_err()
                .message
                .contains("nests deeper than 64")
        );
        let nots = format!(
            "model a {{\n  id String @id\n  @@allow('read', {}x)\n}}",
            "!".repeat(5000)
        );
        assert!(parse(&nots).unwrap_err().message.contains("nests deeper"));
        assert!(unclosed.message.contains("`]`"), "{}", unclosed.message);
    }

    #[test]
    fn errors_carry_line_and_column() {
        let err = parse("model a {\n  id String @id\n  name\n}").unwrap_err();
        assert_eq!(err.pos, Pos { line: 3, col: 7 });
        assert!(
            err.message.contains("expected a type for field `name`"),
            "{}",
            err.message
        );
        let err = parse("model a {\n  id String @default(\"x)\n}").unwrap_err();
        assert_eq!(err.pos.line, 2);
        assert!(
            parse("model a {\n  id String\n")
                .unwrap_err()
                .message
                .contains("missing `}`")
        );
        assert!(parse("modle a {}").unwrap_err().message.contains("`modle`"));
    }

    #[test]
    fn enums_keep_their_values_in_order_with_attributes() {
        let file = parse(
            "enum Role {\n USER\n ADMIN @map(\"admin\")\n @@map(\"roles\")\n}\nenum Two { A B }\n",
        )
        .unwrap();
        let role = &file.enums[0];
        assert_eq!(
            (role.name.as_str(), role.pos),
            ("Role", Pos { line: 1, col: 6 })
        );
        let values: Vec<_> = role
            .values
            .iter()
            .map(|v| (v.0.as_str(), v.2.len()))
            .collect();
        assert_eq!(values, [("USER", 0), ("ADMIN", 1)]);
        assert_eq!(role.attributes[0].name, "map");
        assert_eq!(file.enums[1].values.len(), 2);
        assert!(file.unsupported.is_empty());
        assert!(
            parse("enum Role {\n A\n")
                .unwrap_err()
                .message
                .contains("missing `}`")
        );
    }
}
