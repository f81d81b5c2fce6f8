## API 문서 페이지

developers-title = 개발자용 안내: 다산 API
developers-lead = 포털의 모든 기능은 기관 시스템, 장치, 직접 만든 스크립트에서도 JSON API로 이용할 수 있으며, OpenAPI 3.1 문서로 설명되어 있습니다.
developers-openapi-link = OpenAPI 3.1 문서 내려받기 (JSON)
developers-errors-heading = 오류
developers-errors-body = 모든 오류는 RFC 9457 문제 문서(application/problem+json)로 반환되며, 고정된 코드, 번역된 제목과 설명, 요청 참조 번호, 그리고 입력이 잘못된 경우 항목별 오류를 담습니다. 한국어로 받으려면 Accept-Language: ko 를 보내세요.
developers-endpoints-heading = 엔드포인트
developers-endpoints-caption = 이 버전 API의 엔드포인트
developers-col-method = 메서드
developers-col-path = 경로
developers-col-summary = 기능
