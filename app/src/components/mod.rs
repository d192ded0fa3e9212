//! Components shared by several pages, one per file.

pub mod network_indicator;
pub mod placeholder_page;
pub mod shell;
