#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    SpanTooLong,
    InvalidDigit(char),
}

pub fn lsp(digits: &str, span: usize) -> Result<u64, Error> {
    if span > digits.len() {
        return Err(Error::SpanTooLong);
    }
    let values: Vec<u64> = digits
        .chars()
        .map(|c| c.to_digit(10).map(u64::from).ok_or(Error::InvalidDigit(c)))
        .collect::<Result<_, _>>()?;
    if span == 0 {
        return Ok(1);
    }
    Ok(values.windows(span).map(|w| w.iter().product()).max().unwrap_or(0))
}
