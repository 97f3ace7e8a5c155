//! Conditions on template parameters, such as `tier <= 2` or `"EU" in regions and not internal`.
//!
//! Grammar (lowest precedence first): `or`, `and`, `not`, then a comparison
//! `operand (== | != | < | <= | > | >= | in | contains) operand`, or a lone operand read as a
//! boolean. Operands are parameter names, integers, quoted strings, `true`/`false` and lists
//! `["a", "b"]`. Integers compare numerically, text lexically (so ISO dates compare by date).

use std::collections::BTreeMap;

use crate::template::{ParamKind, ParamValue};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Int(i64),
    Str(String),
    Op(&'static str),
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            '[' => {
                out.push(Tok::LBrack);
                i += 1;
            }
            ']' => {
                out.push(Tok::RBrack);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '"' | '\'' => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != c {
                    j += 1;
                }
                if j >= chars.len() {
                    return Err("unterminated string".to_owned());
                }
                out.push(Tok::Str(chars[i + 1..j].iter().collect()));
                i = j + 1;
            }
            '=' | '!' | '<' | '>' => {
                let two = chars.get(i + 1) == Some(&'=');
                let op = match (c, two) {
                    ('=', true) => "==",
                    ('!', true) => "!=",
                    ('<', true) => "<=",
                    ('>', true) => ">=",
                    ('<', false) => "<",
                    ('>', false) => ">",
                    _ => return Err(format!("unexpected `{c}` (use `==` or `!=`)")),
                };
                out.push(Tok::Op(op));
                i += if two { 2 } else { 1 };
            }
            c if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                let text: String = chars[i..j].iter().collect();
                let n = text
                    .parse()
                    .map_err(|_| format!("integer `{text}` is too large"))?;
                out.push(Tok::Int(n));
                i = j;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_alphanumeric() || matches!(chars[j], '_' | '-'))
                {
                    j += 1;
                }
                out.push(Tok::Ident(chars[i..j].iter().collect()));
                i = j;
            }
            other => return Err(format!("unexpected character `{other}`")),
        }
    }
    Ok(out)
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Or(Box<Cond>, Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
    Cmp(Operand, &'static str, Operand),
    Truthy(Operand),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Param(String),
    Lit(ParamValue),
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == k)
    }
    fn or(&mut self) -> Result<Cond, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.pos += 1;
            left = Cond::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }
    fn and(&mut self) -> Result<Cond, String> {
        let mut left = self.not()?;
        while self.keyword("and") {
            self.pos += 1;
            left = Cond::And(Box::new(left), Box::new(self.not()?));
        }
        Ok(left)
    }
    fn not(&mut self) -> Result<Cond, String> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            let inner = self.or()?;
            if self.peek() != Some(&Tok::RParen) {
                return Err("missing `)`".to_owned());
            }
            self.pos += 1;
            return Ok(inner);
        }
        let left = self.operand()?;
        let op = match self.peek() {
            Some(Tok::Op(op)) => Some(*op),
            Some(Tok::Ident(k)) if k == "in" => Some("in"),
            Some(Tok::Ident(k)) if k == "contains" => Some("contains"),
            _ => None,
        };
        match op {
            Some(op) => {
                self.pos += 1;
                let right = self.operand()?;
                Ok(Cond::Cmp(left, op, right))
            }
            None => Ok(Cond::Truthy(left)),
        }
    }
    fn operand(&mut self) -> Result<Operand, String> {
        let tok = self
            .peek()
            .cloned()
            .ok_or("expected a value, found the end")?;
        self.pos += 1;
        Ok(match tok {
            Tok::Int(n) => Operand::Lit(ParamValue::Int(n)),
            Tok::Str(s) => Operand::Lit(ParamValue::Text(s)),
            Tok::Ident(s) if s == "true" => Operand::Lit(ParamValue::Bool(true)),
            Tok::Ident(s) if s == "false" => Operand::Lit(ParamValue::Bool(false)),
            Tok::Ident(s) if matches!(s.as_str(), "and" | "or" | "not" | "in" | "contains") => {
                return Err(format!("expected a value, found `{s}`"));
            }
            Tok::Ident(s) => Operand::Param(s),
            Tok::LBrack => {
                let mut items = Vec::new();
                loop {
                    match self.peek().cloned() {
                        Some(Tok::RBrack) => {
                            self.pos += 1;
                            break;
                        }
                        Some(Tok::Str(s)) => {
                            items.push(s);
                            self.pos += 1;
                        }
                        Some(Tok::Comma) => self.pos += 1,
                        _ => {
                            return Err(
                                "a list holds quoted strings, such as [\"EU\", \"UK\"]".to_owned()
                            );
                        }
                    }
                }
                Operand::Lit(ParamValue::List(items))
            }
            other => return Err(format!("expected a value, found {other:?}")),
        })
    }
}

/// Parses a condition.
pub(crate) fn parse(s: &str) -> Result<Cond, String> {
    let toks = tokenize(s)?;
    if toks.is_empty() {
        return Err("empty condition".to_owned());
    }
    let mut p = Parser { toks, pos: 0 };
    let c = p.or()?;
    if p.pos != p.toks.len() {
        return Err(format!(
            "unexpected {:?} after a complete condition",
            p.toks[p.pos]
        ));
    }
    Ok(c)
}

impl Cond {
    /// Parameter names the condition reads.
    pub(crate) fn params(&self, out: &mut Vec<String>) {
        let mut op = |o: &Operand| {
            if let Operand::Param(p) = o {
                out.push(p.clone());
            }
        };
        match self {
            Cond::Or(a, b) | Cond::And(a, b) => {
                a.params(out);
                b.params(out);
            }
            Cond::Not(a) => a.params(out),
            Cond::Cmp(l, _, r) => {
                op(l);
                op(r);
            }
            Cond::Truthy(o) => op(o),
        }
    }

    /// Checks operand kinds against the declared parameter kinds.
    pub(crate) fn check(&self, kinds: &BTreeMap<String, ParamKind>) -> Result<(), String> {
        #[derive(PartialEq, Clone, Copy, Debug)]
        enum K {
            Int,
            Text,
            Bool,
            List,
        }
        let kind = |o: &Operand| -> Option<K> {
            match o {
                Operand::Lit(ParamValue::Int(_)) => Some(K::Int),
                Operand::Lit(ParamValue::Text(_)) => Some(K::Text),
                Operand::Lit(ParamValue::Bool(_)) => Some(K::Bool),
                Operand::Lit(ParamValue::List(_)) => Some(K::List),
                Operand::Param(p) => kinds.get(p).map(|k| match k {
                    ParamKind::Int => K::Int,
                    ParamKind::Bool => K::Bool,
                    ParamKind::List => K::List,
                    ParamKind::Text | ParamKind::Enum | ParamKind::Date => K::Text,
                }),
            }
        };
        match self {
            Cond::Or(a, b) | Cond::And(a, b) => {
                a.check(kinds)?;
                b.check(kinds)
            }
            Cond::Not(a) => a.check(kinds),
            Cond::Truthy(o) => match kind(o) {
                Some(K::Bool) | None => Ok(()),
                Some(k) => Err(format!(
                    "a lone {k:?} value is not a condition; compare it, e.g. `tier <= 2`"
                )),
            },
            Cond::Cmp(l, op, r) => {
                let (Some(kl), Some(kr)) = (kind(l), kind(r)) else {
                    return Ok(());
                };
                let ok = match *op {
                    "in" => kr == K::List && kl == K::Text,
                    "contains" => kl == K::List && kr == K::Text,
                    "==" | "!=" => kl == kr,
                    _ => kl == kr && matches!(kl, K::Int | K::Text),
                };
                if ok {
                    Ok(())
                } else {
                    Err(format!("cannot apply `{op}` to {kl:?} and {kr:?}"))
                }
            }
        }
    }

    /// Evaluates against bound values; an unbound name or a kind mismatch is an error.
    pub(crate) fn eval(&self, values: &BTreeMap<String, ParamValue>) -> Result<bool, String> {
        let get = |o: &Operand| -> Result<ParamValue, String> {
            match o {
                Operand::Lit(v) => Ok(v.clone()),
                Operand::Param(p) => values
                    .get(p)
                    .cloned()
                    .ok_or_else(|| format!("parameter `{p}` is not bound")),
            }
        };
        match self {
            Cond::Or(a, b) => Ok(a.eval(values)? || b.eval(values)?),
            Cond::And(a, b) => Ok(a.eval(values)? && b.eval(values)?),
            Cond::Not(a) => Ok(!a.eval(values)?),
            Cond::Truthy(o) => match get(o)? {
                ParamValue::Bool(b) => Ok(b),
                other => Err(format!("`{other}` is not true or false")),
            },
            Cond::Cmp(l, op, r) => {
                let (l, r) = (get(l)?, get(r)?);
                use std::cmp::Ordering;
                let ord = |l: &ParamValue, r: &ParamValue| -> Option<Ordering> {
                    match (l, r) {
                        (ParamValue::Int(a), ParamValue::Int(b)) => Some(a.cmp(b)),
                        (ParamValue::Text(a), ParamValue::Text(b)) => Some(a.cmp(b)),
                        _ => None,
                    }
                };
                match (*op, &l, &r) {
                    ("in", ParamValue::Text(x), ParamValue::List(xs))
                    | ("contains", ParamValue::List(xs), ParamValue::Text(x)) => Ok(xs.contains(x)),
                    ("==", _, _) => Ok(l == r),
                    ("!=", _, _) => Ok(l != r),
                    (op, _, _) => {
                        let o = ord(&l, &r)
                            .ok_or_else(|| format!("cannot apply `{op}` to `{l}` and `{r}`"))?;
                        Ok(match op {
                            "<" => o == Ordering::Less,
                            "<=" => o != Ordering::Greater,
                            ">" => o == Ordering::Greater,
                            _ => o != Ordering::Less,
                        })
                    }
                }
            }
        }
    }
}
