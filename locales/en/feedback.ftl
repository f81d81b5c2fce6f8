## Page feedback

feedback-title = Give feedback on this page
feedback-about-page = About the page: { $page }
feedback-helpful-legend = Was this page useful?
feedback-helpful-hint = Answer this, write a comment below, or both.
feedback-helpful-yes = Yes
feedback-helpful-no = No
feedback-comment-label = What were you trying to do, and what went wrong? (optional)
feedback-comment-hint = Do not include personal or financial information, like your resident registration number or card details.
feedback-comment-limit = You can enter up to { $max ->
        [one] { $max } character
       *[other] { $max } characters
    }.
feedback-submit = Send feedback
feedback-thanks-title = Thank you for your feedback
feedback-thanks-body = It goes to the team responsible for the page. We read every message, but we cannot reply to it.
feedback-thanks-back = Return to the page you were on
feedback-error-page = The page this feedback is about is not a page of this portal.
feedback-error-empty = Say whether the page was useful, or write a comment.
feedback-error-helpful = Choose Yes or No.
feedback-error-comment-too-long = The comment must be { $max ->
        [one] { $max } character
       *[other] { $max } characters
    } or fewer.
feedback-error-comment-characters = The comment contains characters that cannot be stored, such as control characters. Remove them.
