/// Whether `code` passes the Luhn check.
pub fn is_valid(code: &str) -> bool {
    todo!("check {code}")
}
