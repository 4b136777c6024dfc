use series_product::{lsp, Error};

#[test]
fn small() {
    assert_eq!(lsp("0123456789", 2), Ok(72));
}

#[test]
fn bigger_span() {
    assert_eq!(lsp("73167176531330624919225119674426574742355349194934", 6), Ok(23520));
}

#[test]
fn zero_span() {
    assert_eq!(lsp("123", 0), Ok(1));
}

#[test]
fn span_too_long() {
    assert_eq!(lsp("123", 4), Err(Error::SpanTooLong));
}

#[test]
fn invalid_digit() {
    assert_eq!(lsp("12a34", 2), Err(Error::InvalidDigit('a')));
}
