"""One router per noun: jobs, files (outputs, pages, regions), system (detection, operations)."""
