//! The restlings runner: progress, hints and checks for the course.
