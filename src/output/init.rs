//! What `init` created.

use std::io::{self, Write};

use super::Report;
use crate::ops::init::Created;
use crate::ui::Paint;

impl Created {
    /// The status line of `init`.
    #[must_use]
    pub fn message(&self) -> String {
        format!(
            "Created {} workspace in {} ({} files). Try: zyklus -C {} validate",
            if self.example { "the example" } else { "a new" },
            self.dir.display(),
            self.files.len(),
            self.dir.display()
        )
    }
}

impl Report for Created {
    fn render(&self, w: &mut dyn Write, _paint: &Paint) -> io::Result<()> {
        writeln!(w, "{}", self.message())
    }
}
