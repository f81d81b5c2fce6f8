## 민원 서비스: 서비스 목록, 신청, 진행 조회, 담당 공무원 업무함.
nav-applications = 신청 내역
nav-inbox = 알림함

services-title = 정부 서비스
services-search-label = 서비스 검색
services-search = 검색
services-results-for = “{ $query }” 검색 결과
services-all = 전체 서비스
services-all-link = 전체 서비스 보기
services-none = 일치하는 서비스가 없습니다. 다른 말로 찾거나 아래에서 둘러보세요.
services-by-event = 생애 주기별
services-by-agency = 기관별
service-instant = 즉시 발급
service-agency = 담당 기관
service-how = 처리 방법
service-instant-long = 온라인으로 즉시 발급됩니다. 모든 정보는 등록부에서 가져옵니다.
service-review-long = 담당 공무원이 신청서를 검토하여 { $days }근무일 안에 결정합니다.
service-fee = 수수료
service-free = 무료
service-exempt = 면제 대상: { $who }
service-who = 신청 대상
service-once-only = 국가가 이미 가진 정보는 입력하지 않습니다
service-once-only-lead = 다음 정보는 등록부에서 가져와 신청서에 보여 드립니다.
service-start = 신청 시작
service-for-someone = 대리 신청하기
service-sign-in-to-start = 로그인하고 신청하기
service-for-title = 다른 사람을 위해 신청
service-for-none = 이 서비스에서 대리할 수 있는 사람이 없습니다. 본인의 위임을 받거나, 부모는 미성년 자녀를 대리할 수 있습니다.

life-event-birth = 출산
life-event-moving-house = 이사
life-event-starting-a-business = 창업
life-event-building-a-home = 주택 건축
life-event-travelling-abroad = 해외 여행
life-event-paying-taxes = 세금 납부
life-event-buying-property = 부동산 구입

application-step-of = { $steps }단계 중 { $step }단계
application-from-registry = 등록부 정보
application-from-registry-lead = 국가가 이미 가진 정보라 입력하지 않습니다. 틀린 곳이 있으면 해당 등록부를 관리하는 기관에 알려 주세요.
application-optional = (선택)
application-condition = “{ $question }”에 “{ $answer }”(으)로 답한 경우에만
application-continue = 저장하고 계속
application-draft-note = 답변은 임시 저장됩니다. 나중에 이어서 할 수 있습니다.
application-check-title = 답변 확인
application-change = 바꾸기
application-registry-tag = 등록부 정보
application-declaration-heading = 신청서 제출
application-declaration = 제출하면 아는 범위에서 답변이 사실임을 확인하는 것입니다.
application-submit = 신청서 제출
application-receipt = 접수번호 { $number }
application-received = 신청서가 접수되었습니다. “신청 내역”에서 진행 상황을 볼 수 있으며, 알림과 이메일로도 알려 드립니다.
application-due = 처리 기한
application-reason = 사유
application-appeal = 결정에 동의하지 않으면 90일 안에 행정심판을 청구할 수 있습니다.
application-next = 지금 할 수 있는 일
application-timeline = 처리 과정
application-answers = 신청 내용
application-conflict-title = 변경되지 않았습니다
application-conflict-changed = 방금 다른 사람이 이 신청을 변경했습니다. 현재 상태를 보여 드립니다.
application-conflict-assigned = 다른 공무원이 이 신청을 처리하고 있습니다.

applications-title = 신청 내역
applications-none = 아직 신청한 것이 없습니다.
applications-caption = 신청 내역(최근 순)
applications-service = 서비스
applications-receipt = 접수번호
applications-status = 상태
applications-date = 날짜

civil-status-draft = 작성 중
civil-status-submitted = 접수
civil-status-in_review = 검토 중
civil-status-info_requested = 보완 요청
civil-status-approved = 승인
civil-status-rejected = 반려
civil-status-issued = 발급 완료
civil-status-withdrawn = 취하

civil-action-submit = 신청서 제출
civil-action-claim = 이 신청 맡기
civil-action-release = 업무함으로 되돌리기
civil-action-request_info = 보완 요청
civil-action-answer = 보완 답변 보내기
civil-action-approve = 승인
civil-action-reject = 반려
civil-action-issue = 발급 처리
civil-action-withdraw = 신청 취하

civil-event-submit = 신청 접수
civil-event-claim = 담당 공무원이 검토 시작
civil-event-release = 업무함으로 되돌림
civil-event-request_info = 보완 요청
civil-event-answer = 신청인 답변
civil-event-approve = 승인
civil-event-reject = 반려
civil-event-issue = 발급
civil-event-withdraw = 취하

civil-message-request_info = 신청인에게 무엇이 필요한가요?
civil-message-reject = 반려 사유(신청인이 봅니다)
civil-message-answer = 답변

queue-title = { $agency } 신청 업무함
queue-filters = 보기
queue-filter-open = 기관 처리 대기
queue-filter-unassigned = 미배정
queue-filter-mine = 내 담당
queue-filter-overdue = 기한 초과
queue-filter-waiting = 신청인 답변 대기
queue-empty = 없습니다.
queue-caption = 신청 목록(오래된 순)
queue-submitted = 접수일
queue-overdue = 기한 초과
queue-yours = 내 담당
queue-select = 선택
queue-select-one = { $receipt } 선택
queue-claim-selected = 선택한 신청 맡기
queue-claimed = { $claimed }건을 맡았습니다. { $missed }건은 다른 사람이 먼저 맡았거나 변경되었습니다.
queue-back = 업무함으로 돌아가기

account-queue-link = 처리할 신청(업무함)

inbox-title = 알림함
inbox-empty = 아직 알림이 없습니다.

civil-error-required = 답변해 주세요.
civil-error-choose = 보기 중 하나를 고르세요.
civil-error-too-long = { $max }자 이내로 쓰세요.
civil-error-number = 3처럼 정수를 입력하세요.
civil-error-range = { $min }부터 { $max }까지의 숫자를 입력하세요.
civil-error-date = 2026-11-20처럼 올바른 날짜를 입력하세요.
civil-error-person = 올바른 주민등록번호를 입력하세요.
civil-error-business = 올바른 10자리 사업자등록번호를 입력하세요.
civil-error-control = 특수 제어 문자를 지우세요.
civil-error-reason = 신청인이 이해하고 이의를 제기할 수 있도록 사유를 쓰세요.
civil-error-message = 내용을 쓰세요.

application-files = 첨부 파일
application-file-attached = 첨부됨: { $name }. 다른 파일을 고르면 바뀝니다.
civil-error-file-empty = 빈 파일입니다.
civil-error-file-too-large = 파일이 너무 큽니다. 최대 { $max } KB입니다.
civil-error-file-type = 받을 수 없는 종류의 파일입니다(파일 이름이 아니라 내용을 확인했습니다).
civil-error-file-required = 파일을 첨부하세요.

problem-not-eligible =
    .title = 이 서비스를 이용할 수 없습니다
    .detail = 이 서비스는 다른 신청 대상(계정 종류, 나이, 국적)을 위한 것입니다. 서비스 안내에서 신청 대상을 확인하세요.
problem-invalid-transition =
    .title = 지금은 할 수 없습니다
    .detail = 신청의 현재 상태에서는 이 작업을 할 수 없습니다.
problem-application-changed =
    .title = 신청이 변경되었습니다
    .detail = 연 뒤에 다른 사람이 신청을 변경했습니다. 다시 열어 현재 상태를 확인하세요.
problem-assigned-to-other =
    .title = 다른 공무원이 처리하고 있습니다
    .detail = 신청을 맡은 공무원만 처리하거나 업무함으로 되돌릴 수 있습니다.
