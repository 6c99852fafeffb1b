"""The integrity office's side: actors and their scope, authoring and the
four-eyes workflow, the calendar, the code book, suggestions, enrolment
codes and the audit log. Each public function is one use case that commits
once, with its audit entry in the same transaction."""
