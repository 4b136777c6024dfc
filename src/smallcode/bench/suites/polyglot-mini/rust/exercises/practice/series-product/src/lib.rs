#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    SpanTooLong,
    InvalidDigit(char),
}

pub fn lsp(digits: &str, span: usize) -> Result<u64, Error> {
    todo!("largest product of {span} digits in {digits}")
}
