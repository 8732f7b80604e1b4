// Plain-JavaScript twin of empty.atlas: an empty program, start-up alone.
