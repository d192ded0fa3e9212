//! The health-center directory (`/directory`, admin entry; issue 23): prefecture staff keep their prefecture's
//! health centers (contact details, the municipalities each covers, CSV export and import); a health center's
//! administrator keeps their own center's contact details. The edge decides who may do what.

pub mod page;
