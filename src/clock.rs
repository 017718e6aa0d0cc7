//! The build's clock: the PDF's date and `date: today` come from `SOURCE_DATE_EPOCH` when
//! it is set (reproducible builds), else from the system.

/// Seconds since 1970 from `SOURCE_DATE_EPOCH`, when set and a whole number.
pub fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH").ok()?.trim().parse().ok()
}
