-- The enrolment desk's queue: pre-registrations waiting for the desk step, oldest first.
CREATE INDEX border_enrolments_status ON border_enrolments (status, created_at, id);
