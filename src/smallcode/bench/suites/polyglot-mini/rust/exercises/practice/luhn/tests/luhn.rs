use luhn::is_valid;

#[test]
fn single_digit_is_invalid() {
    assert!(!is_valid("1"));
}

#[test]
fn single_zero_is_invalid() {
    assert!(!is_valid("0"));
}

#[test]
fn valid_canadian_number() {
    assert!(is_valid("055 444 285"));
}

#[test]
fn invalid_canadian_number() {
    assert!(!is_valid("055 444 286"));
}

#[test]
#[ignore]
fn a_letter_makes_it_invalid() {
    assert!(!is_valid("055a 444 285"));
}

#[test]
#[ignore]
fn double_zero_is_valid() {
    assert!(is_valid(" 0 0 "));
}
