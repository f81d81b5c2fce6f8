## Civil services: catalogue, applying, tracking, officials' queue.
nav-applications = Your applications
nav-inbox = Messages

services-title = Government services
services-search-label = Search for a service
services-search = Search
services-results-for = Services matching “{ $query }”
services-all = All services
services-all-link = See every service
services-none = No service matches. Try other words, or browse below.
services-by-event = By life event
services-by-agency = By agency
service-instant = issued at once
service-agency = Run by
service-how = How it works
service-instant-long = Issued at once, online: every fact comes from the registries.
service-review-long = An official reviews your application and decides within { $days } working days.
service-fee = Fee
service-free = Free
service-exempt = Free for: { $who }
service-who = Who can apply
service-once-only = You do not type what the state already knows
service-once-only-lead = These come from the registries and are shown to you on the form:
service-start = Start now
service-for-someone = Apply for someone you act for
service-sign-in-to-start = Sign in to start
service-for-title = Apply for someone else
service-for-none = You cannot act for anyone for this service. A person can authorise you, and parents act for their minor children.

life-event-birth = Having a baby
life-event-moving-house = Moving house
life-event-starting-a-business = Starting a business
life-event-building-a-home = Building a home
life-event-travelling-abroad = Travelling abroad
life-event-paying-taxes = Paying taxes
life-event-buying-property = Buying property

application-step-of = Step { $step } of { $steps }
application-from-registry = From the registries
application-from-registry-lead = The state already holds these, so you do not type them. If something is wrong, tell the agency that keeps the registry.
application-optional = (optional)
application-condition = Only if you answered “{ $answer }” to “{ $question }”.
application-continue = Save and continue
application-draft-note = Your answers are saved as a draft: you can come back later.
application-check-title = Check your answers
application-change = Change
application-registry-tag = from the registry
application-declaration-heading = Now send your application
application-declaration = By sending it you confirm that your answers are true to the best of your knowledge.
application-submit = Send application
application-receipt = Receipt number { $number }
application-received = We have your application. You will find it and every update under “Your applications”, and we will tell you by message and e-mail.
application-due = Decision due by
application-reason = Reason
application-appeal = If you disagree, you can ask the agency to review its decision within 90 days (administrative appeal), or appeal to the Administrative Appeals Commission.
application-next = What you can do now
application-timeline = What has happened
application-answers = The application
application-conflict-title = Nothing was changed
application-conflict-changed = Someone else changed this application a moment ago. Here it is as it stands now.
application-conflict-assigned = Another official is working on this application.

applications-title = Your applications
applications-none = You have no applications yet.
applications-caption = Your applications, most recent first
applications-service = Service
applications-receipt = Receipt number
applications-status = Status
applications-date = Date

civil-status-draft = Draft
civil-status-submitted = Received
civil-status-in_review = Being reviewed
civil-status-info_requested = More information needed
civil-status-approved = Approved
civil-status-rejected = Not approved
civil-status-issued = Issued
civil-status-withdrawn = Withdrawn

civil-action-submit = Send application
civil-action-claim = Take this application
civil-action-release = Give back to the queue
civil-action-request_info = Ask for more information
civil-action-answer = Send your answer
civil-action-approve = Approve
civil-action-reject = Reject
civil-action-issue = Mark as issued
civil-action-withdraw = Withdraw the application

civil-event-submit = Application received
civil-event-claim = An official started reviewing
civil-event-release = Returned to the queue
civil-event-request_info = More information was asked for
civil-event-answer = The applicant answered
civil-event-approve = Approved
civil-event-reject = Not approved
civil-event-issue = Issued
civil-event-withdraw = Withdrawn

civil-message-request_info = What do you need from the applicant?
civil-message-reject = Why is it rejected? (The applicant sees this.)
civil-message-answer = Your answer

queue-title = Applications to { $agency }
queue-filters = Show
queue-filter-open = Waiting for the agency
queue-filter-unassigned = Not yet taken
queue-filter-mine = Yours
queue-filter-overdue = Overdue
queue-filter-waiting = Waiting for the applicant
queue-empty = Nothing here.
queue-caption = Applications, oldest first
queue-submitted = Received
queue-overdue = overdue
queue-yours = yours
queue-select = Select
queue-select-one = Select { $receipt }
queue-claim-selected = Take the selected applications
queue-claimed = You took { $claimed }. { $missed } had been taken or changed by someone else.
queue-back = Back to the queue

account-queue-link = Applications to decide (work queue)

inbox-title = Messages
inbox-empty = No messages yet.

civil-error-required = Answer this question.
civil-error-choose = Choose one of the options.
civil-error-too-long = Use at most { $max } characters.
civil-error-number = Enter a whole number, like 3.
civil-error-range = Enter a number from { $min } to { $max }.
civil-error-date = Enter a real date, like 2026-11-20.
civil-error-person = Enter a valid national identifier.
civil-error-business = Enter a valid 10-digit business registration number.
civil-error-control = Remove special control characters.
civil-error-reason = Say why, so that the applicant understands and can appeal.
civil-error-message = Write a message.

application-files = Attached files
application-file-attached = Attached: { $name }. Choose another file to replace it.
civil-error-file-empty = The file is empty.
civil-error-file-too-large = The file is too large: at most { $max } KB.
civil-error-file-type = This kind of file is not accepted here (its content was checked, not its name).
civil-error-file-required = Attach the file.

problem-not-eligible =
    .title = You cannot use this service
    .detail = This service is for other applicants (kind of account, age or nationality). The service page says who can apply.
problem-invalid-transition =
    .title = Not possible now
    .detail = The application's status does not allow this action.
problem-application-changed =
    .title = The application changed
    .detail = Someone changed the application since you opened it. Open it again to see it as it is now.
problem-assigned-to-other =
    .title = Another official is working on this
    .detail = Only the official who took the application can act on it, or give it back to the queue.
