## 모든 화면에 공통인 틀

site-name = 다산
site-tagline = 모든 정부 서비스를 한곳에서
skip-to-content = 본문 바로가기
language-switcher-label = 언어
footer-nav-label = 도움말 링크
footer-feedback = 이 페이지에 문제가 있나요? 알려 주세요
nav-about = 다산 소개
nav-accessibility = 접근성 정책
nav-developers = 개발자용 API 안내
footer-licence = 다산은 오픈소스 소프트웨어입니다. 별도 표시가 없는 한 모든 내용은 자유롭게 이용할 수 있습니다.

## 첫 화면

home-title = 모든 정부 서비스를 한곳에서
home-lead = 민원 신청, 증명서 발급, 공공 입찰 참가, 출입국 심사까지 — 언제 어디서나 휴대전화로, 관공서를 방문하지 않고 이용하세요.
home-services-heading = 여기서 할 수 있는 일
home-civil-title = 민원 서비스
home-civil-body = 출생 신고부터 창업까지, 모든 기관의 서비스를 하나의 목록에서 찾으세요.
home-civil-point-apply = 온라인으로 신청하고 처리 결과까지 진행 상황을 확인하세요.
home-civil-point-documents = 누구나 종이나 화면으로, 인터넷 연결 없이도 진위를 확인할 수 있는 증명서를 받으세요.
home-civil-point-once = 정부가 이미 가진 정보는 다시 입력하지 않으며, 누가 내 정보를 열람했는지 확인할 수 있습니다.
home-procurement-title = 공공 조달
home-procurement-body = 모든 공급업체가 같은 조건으로 공공 계약을 찾고 낙찰받을 수 있습니다.
home-procurement-point-notices = 공급업체로 한 번만 등록하고 모든 입찰 공고를 확인하세요.
home-procurement-point-sealed = 입찰서는 마감 전까지 봉인됩니다. 운영자를 포함해 누구도 미리 열어 볼 수 없습니다.
home-procurement-point-open = 평가와 낙찰 결과는 누구나 다시 계산해 볼 수 있는 공공데이터로 공개됩니다.
home-border-title = 출입국 심사
home-border-body = 자동출입국심사대를 통해 몇 초 만에 출입국 심사를 마치세요.
home-border-point-enrol = 필요하다면 여행 전에 온라인으로 사전 등록하세요.
home-border-point-gates = 심사대의 판정은 근거가 설명되며, 다시 재현하여 검증할 수 있습니다.
home-border-link = 자동출입국심사 사전 등록하기
home-trust-heading = 믿으라고 하지 않고, 확인할 수 있게
home-trust-body = 내 기록이 바뀔 때마다 위변조를 탐지할 수 있는 기록부에 남습니다. 문서에는 자체 전자서명이 있어 저희에게 묻지 않고도 검증할 수 있습니다.
home-trust-more = 다산의 작동 방식

## 소개

about-title = 다산 소개
about-lead = 다산은 누구나 직접 설치해 운영할 수 있는 개방형 전자정부 플랫폼으로, 국민과 기업이 모든 정부 서비스를 한곳에서 이용할 수 있게 합니다.
about-principles-heading = 다산의 약속
about-principle-once-only = 한 번만: 정부가 이미 가진 정보는 다시 요구하지 않습니다.
about-principle-verifiable = 검증 가능: 문서, 입찰, 결정은 운영자를 믿지 않아도 누구나 확인할 수 있습니다.
about-principle-privacy = 개인정보 보호: 내 개인정보를 열람할 때마다 그 사유와 함께 기록되며, 본인이 확인할 수 있습니다.
about-principle-open = 개방: 소프트웨어는 오픈소스이고, 데이터는 개방형 표준으로 공개됩니다.
about-principle-anywhere = 어디서나: 모든 서비스는 자바스크립트 없이도 기본형 휴대전화에서 원하는 언어로 작동합니다.
about-name-heading = 이름의 유래
about-name-body = 다산(茶山)은 백성을 잘 섬기는 관리의 길을 담은 고전 『목민심서』를 쓴 학자 정약용(1762–1836)의 호입니다.
about-version-heading = 버전
about-version-body = 이 포털은 다산 { $version } 버전으로 운영됩니다.

## 접근성 정책

accessibility-title = 접근성 정책
accessibility-lead = 어떤 기기, 브라우저, 보조기술을 사용하든 최대한 많은 분들이 이 포털을 이용할 수 있기를 바랍니다.
accessibility-what-heading = 이용하실 수 있어야 하는 것
accessibility-what-zoom = 글자가 화면 밖으로 넘치지 않게 최대 400%까지 확대하기
accessibility-what-keyboard = 키보드만으로 포털의 모든 기능을 사용하고, 현재 위치를 항상 확인하기
accessibility-what-screen-reader = 화면낭독기나 음성인식으로 포털 이용하기
accessibility-what-no-js = 작거나 오래된 휴대전화에서 자바스크립트를 끄고도 모든 서비스 이용하기
accessibility-what-languages = 한국어나 영어로 포털을 이용하고, 어느 화면에서든 언어 바꾸기
accessibility-status-heading = 준수 현황
accessibility-status-body = 이 포털은 웹 콘텐츠 접근성 지침(WCAG) 2.2 AA 수준 준수를 목표로 합니다. 아직 기준을 충족하지 못하는 화면이 확인되면 즉시 이곳에 밝힙니다. 현재 알려진 화면은 없습니다.
accessibility-testing-heading = 점검 방법
accessibility-testing-body = 매 배포마다 실제 브라우저에서 두 언어로, 좁은 화면과 넓은 화면 모두에서 axe 접근성 검사기로 자동 점검합니다. 키보드와 화면낭독기로 직접 점검도 합니다.
accessibility-report-heading = 문제 신고
accessibility-report-body = 포털의 일부를 이용할 수 없거나 다른 형식의 정보가 필요하시면 알려 주세요. 근무일 기준 5일 안에 답변드립니다.
accessibility-report-link = 접근성 문제 신고하기

## 오류

error-go-home = 첫 화면으로 가기
error-reference = 이 문제로 문의하실 때는 다음 참조 번호를 알려 주세요: { $id }
error-prefix = 오류:
error-summary-title = 문제가 있습니다
problem-page-caption = 문제 유형
problem-page-code = 코드:
field-error-type = 값의 형식이 올바르지 않습니다.
