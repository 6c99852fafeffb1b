"""The employee's side: installations, answers and their tallies, teams,
meetings and suggestions. Each public function is one use case that
commits once."""
