//! Arithmetic expressions for the simulated tool-using model: parse `(2+3)*(4*4)` into a tree
//! whose operations can be asked for as tool calls, level by level.

/// A binary operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Subtract,
    Multiply,
    Divide,
}

impl Op {
    /// The calculator tool that performs this operation.
    pub fn tool(self) -> &'static str {
        match self {
            Op::Add => "sum_numbers",
            Op::Subtract => "subtract_numbers",
            Op::Multiply => "multiply_numbers",
            Op::Divide => "divide_numbers",
        }
    }

    fn precedence(self) -> u8 {
        match self {
            Op::Add | Op::Subtract => 1,
            Op::Multiply | Op::Divide => 2,
        }
    }

    fn symbol(self) -> char {
        match self {
            Op::Add => '+',
            Op::Subtract => '-',
            Op::Multiply => '*',
            Op::Divide => '/',
        }
    }

    /// The exact result.
    pub fn apply(self, a: f64, b: f64) -> Option<f64> {
        match self {
            Op::Add => Some(a + b),
            Op::Subtract => Some(a - b),
            Op::Multiply => Some(a * b),
            Op::Divide => (b != 0.0).then(|| a / b),
        }
    }
}

/// A node of an expression tree; nodes are stored in a flat list and refer to each other by
/// index, the root last.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Number(f64),
    Apply { op: Op, left: usize, right: usize },
}

/// A parsed expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expression {
    pub nodes: Vec<Node>,
}

/// The deepest parentheses may nest in an expression the simulated model works through.
pub const MAX_PARENTHESES_DEPTH: usize = 32;

/// The most numbers and operations an expression may have.
pub const MAX_EXPRESSION_NODES: usize = 200;

/// Why a text holds no expression the simulated model will work through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotAnExpression {
    /// No arithmetic with at least one operation.
    Missing,
    /// Parentheses nested deeper than [`MAX_PARENTHESES_DEPTH`].
    TooDeep { depth: usize },
    /// More than [`MAX_EXPRESSION_NODES`] numbers and operations.
    TooLarge,
}

impl std::fmt::Display for NotAnExpression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotAnExpression::Missing => write!(f, "There is no arithmetic with an operation."),
            NotAnExpression::TooDeep { depth } => write!(
                f,
                "The arithmetic nests parentheses {depth} deep; I work through at most \
                 {MAX_PARENTHESES_DEPTH} levels."
            ),
            NotAnExpression::TooLarge => write!(
                f,
                "The arithmetic has more than {MAX_EXPRESSION_NODES} numbers and operations; \
                 I work through smaller ones."
            ),
        }
    }
}

impl Expression {
    /// Parses the arithmetic in `text`: numbers, `+ - * / ×`, parentheses. `None` if there is
    /// no expression the simulated model works through (see [`Expression::parse_in`]).
    pub fn find_in(text: &str) -> Option<Expression> {
        Expression::parse_in(text).ok()
    }

    /// Parses the arithmetic in `text`, or says why there is none to work through. The depth
    /// of the parentheses is checked by a flat scan before the recursive-descent parser runs,
    /// so its recursion is bounded by [`MAX_PARENTHESES_DEPTH`] whatever the text.
    pub fn parse_in(text: &str) -> Result<Expression, NotAnExpression> {
        let start = text
            .find(|c: char| c.is_ascii_digit() || c == '(')
            .ok_or(NotAnExpression::Missing)?;
        let chars: Vec<char> = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || " .+-*/×()".contains(*c))
            .filter(|c| !c.is_whitespace())
            .map(|c| if c == '×' { '*' } else { c })
            .collect();
        let depth = parentheses_depth(&chars);
        if depth > MAX_PARENTHESES_DEPTH {
            return Err(NotAnExpression::TooDeep { depth });
        }
        let mut parser = Parser {
            chars,
            pos: 0,
            nodes: Vec::new(),
        };
        parser.expression().ok_or(NotAnExpression::Missing)?;
        if !parser.nodes.iter().any(|n| matches!(n, Node::Apply { .. })) {
            return Err(NotAnExpression::Missing);
        }
        if parser.nodes.len() >= MAX_EXPRESSION_NODES {
            return Err(NotAnExpression::TooLarge);
        }
        Ok(Expression {
            nodes: parser.nodes,
        })
    }

    /// The index of the root node.
    pub fn root(&self) -> usize {
        self.nodes.len() - 1
    }

    /// The expression below `node` as text, e.g. `(2 + 3) * (4 * 4)`.
    pub fn render(&self, node: usize) -> String {
        match &self.nodes[node] {
            Node::Number(n) => format_number(*n),
            Node::Apply { op, left, right } => {
                // Parentheses only where the tree needs them, so the text parses back to the
                // same tree (and a sub-agent sees the same independent parts).
                let side = |i: usize, right_side: bool| match &self.nodes[i] {
                    Node::Apply { op: inner, .. }
                        if inner.precedence() < op.precedence()
                            || (right_side && inner.precedence() == op.precedence()) =>
                    {
                        format!("({})", self.render(i))
                    }
                    _ => self.render(i),
                };
                format!(
                    "{} {} {}",
                    side(*left, false),
                    op.symbol(),
                    side(*right, true)
                )
            }
        }
    }

    /// The value of `node` given the results known so far (numbers are always known).
    pub fn value(&self, node: usize, known: &dyn Fn(usize) -> Option<f64>) -> Option<f64> {
        match self.nodes.get(node)? {
            Node::Number(n) => Some(*n),
            Node::Apply { .. } => known(node),
        }
    }

    /// The result of the whole expression, computed directly.
    pub fn evaluate(&self) -> Option<f64> {
        let mut values: Vec<f64> = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let v = match node {
                Node::Number(n) => *n,
                Node::Apply { op, left, right } => op.apply(values[*left], values[*right])?,
            };
            values.push(v);
        }
        values.last().copied()
    }
}

/// `4`, `2.5`: numbers without needless decimals.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{}", (n * 1e6).round() / 1e6)
    }
}

/// The deepest the parentheses in `chars` nest (unbalanced ones counted as they open).
fn parentheses_depth(chars: &[char]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for c in chars {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// A recursive-descent parser: expression := term (('+'|'-') term)*; term := factor (('*'|'/')
/// factor)*; factor := number | '(' expression ')'.
struct Parser {
    chars: Vec<char>,
    pos: usize,
    nodes: Vec<Node>,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn push(&mut self, node: Node) -> usize {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn expression(&mut self) -> Option<usize> {
        let mut left = self.term()?;
        while let Some(c @ ('+' | '-')) = self.peek() {
            self.pos += 1;
            let right = self.term()?;
            let op = if c == '+' { Op::Add } else { Op::Subtract };
            left = self.push(Node::Apply { op, left, right });
        }
        Some(left)
    }

    fn term(&mut self) -> Option<usize> {
        let mut left = self.factor()?;
        while let Some(c @ ('*' | '/')) = self.peek() {
            self.pos += 1;
            let right = self.factor()?;
            let op = if c == '*' { Op::Multiply } else { Op::Divide };
            left = self.push(Node::Apply { op, left, right });
        }
        Some(left)
    }

    fn factor(&mut self) -> Option<usize> {
        match self.peek()? {
            '(' => {
                self.pos += 1;
                let inner = self.expression()?;
                (self.peek() == Some(')')).then(|| {
                    self.pos += 1;
                    inner
                })
            }
            c if c.is_ascii_digit() => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                    self.pos += 1;
                }
                let text: String = self.chars[start..self.pos].iter().collect();
                let n = text.parse::<f64>().ok()?;
                Some(self.push(Node::Number(n)))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_evaluates_with_precedence() {
        let e = Expression::find_in("What is (2+3)*(4*4)?").expect("expression");
        assert_eq!(e.evaluate(), Some(80.0));
        assert_eq!(e.render(e.root()), "(2 + 3) * (4 * 4)");
        let e = Expression::find_in("Compute 2 + 3 * 4 please").expect("expression");
        assert_eq!(e.evaluate(), Some(14.0));
        assert_eq!(e.render(e.root()), "2 + 3 * 4");
        let e = Expression::find_in("10 - (4 - 1) + (2 + 2)").expect("expression");
        assert_eq!(e.render(e.root()), "10 - (4 - 1) + (2 + 2)");
        assert_eq!(e.evaluate(), Some(11.0));
    }

    #[test]
    fn text_without_an_operation_is_not_an_expression() {
        assert_eq!(Expression::find_in("What year is it? 2024"), None);
        assert_eq!(Expression::find_in("no numbers"), None);
        assert_eq!(Expression::find_in("(2+"), None);
    }

    #[test]
    fn deep_parentheses_are_refused_with_a_reason_not_a_stack_overflow() {
        for depth in [MAX_PARENTHESES_DEPTH + 1, 20_000, 100_000] {
            let text = format!("{}1+1{}", "(".repeat(depth), ")".repeat(depth));
            let refused = Expression::parse_in(&text);
            assert_eq!(refused, Err(NotAnExpression::TooDeep { depth }));
            let sentence = refused.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(sentence.contains(&depth.to_string()), "{sentence}");
        }
        let unbalanced = "(".repeat(100_000) + "1+1";
        assert!(Expression::parse_in(&unbalanced).is_err());
        let at_the_limit = format!(
            "{}1+1{}",
            "(".repeat(MAX_PARENTHESES_DEPTH),
            ")".repeat(MAX_PARENTHESES_DEPTH)
        );
        let e = Expression::find_in(&at_the_limit).expect("within the limit");
        assert_eq!(e.evaluate(), Some(2.0));
    }

    #[test]
    fn a_long_line_of_arithmetic_is_refused_as_too_large() {
        let text = "1+".repeat(500_000) + "1";
        assert_eq!(Expression::parse_in(&text), Err(NotAnExpression::TooLarge));
    }

    #[test]
    fn division_by_zero_has_no_value() {
        let e = Expression::find_in("1/0").expect("expression");
        assert_eq!(e.evaluate(), None);
    }
}
