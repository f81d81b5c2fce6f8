## 페이지 의견

feedback-title = 이 페이지에 대한 의견 보내기
feedback-about-page = 대상 페이지: { $page }
feedback-helpful-legend = 이 페이지가 도움이 되었나요?
feedback-helpful-hint = 이 질문에 답하거나, 아래에 의견을 쓰거나, 둘 다 해 주세요.
feedback-helpful-yes = 예
feedback-helpful-no = 아니요
feedback-comment-label = 무엇을 하려고 하셨고, 무엇이 잘못되었나요? (선택)
feedback-comment-hint = 주민등록번호나 카드 정보 같은 개인정보나 금융정보는 쓰지 마세요.
feedback-comment-limit = { $max }자까지 입력할 수 있습니다.
feedback-submit = 의견 보내기
feedback-thanks-title = 의견을 보내 주셔서 감사합니다
feedback-thanks-body = 의견은 이 페이지를 담당하는 팀에 전달됩니다. 모든 의견을 읽지만 답장은 드리지 못합니다.
feedback-thanks-back = 보던 페이지로 돌아가기
feedback-error-page = 의견 대상 페이지가 이 포털의 페이지가 아닙니다.
feedback-error-empty = 페이지가 도움이 되었는지 선택하거나 의견을 써 주세요.
feedback-error-helpful = 예 또는 아니요를 선택해 주세요.
feedback-error-comment-too-long = 의견은 { $max }자 이하로 써 주세요.
feedback-error-comment-characters = 의견에 제어 문자처럼 저장할 수 없는 문자가 있습니다. 해당 문자를 지워 주세요.
