## 전자조달: 개찰 화면, 공개 입찰함 확인, 공급자 정보 수정과 부정당업자 제재

procurement-error-bid-id = 접수증에 적힌 입찰서 번호를 입력하세요: 0–9와 a–f로 된 64자입니다.
procurement-error-box-not-closed = 입찰함이 아직 닫히지 않았습니다. 입찰 마감 후에 확인할 수 있습니다.

procurement-opening-title = 개찰: { $title }
procurement-opening-done = 개찰했습니다. 서명된 개찰 기록이 공개되었습니다.
procurement-opening-shares = 키 조각
procurement-opening-shares-count = 필요한 { $threshold }개 중 { $released }개 제출
procurement-opening-heading = 개찰하기
procurement-opening-ready = 입찰함이 닫혔고 개찰 시각이 되었으며 충분한 개찰위원이 키 조각을 제출했습니다. 개찰하면 입찰함의 모든 입찰서를 복호화하고 예정가격을 추첨하여 서명된 기록을 공개합니다. 되돌릴 수 없습니다.
procurement-opening-submit = 개찰하기
procurement-opening-not-yet = 아직 개찰할 수 없습니다:
procurement-opening-box-open = 입찰함이 아직 열려 있습니다. 입찰 마감 시각에 닫힙니다.
procurement-opening-cancelled = 취소된 입찰입니다.
procurement-opening-time-not-reached = 개찰 시각이 되지 않았습니다: { $when }.
procurement-opening-shares-missing = 필요한 키 조각 { $threshold }개 중 { $released }개만 제출되었습니다. 개찰위원은 개찰위원 화면에서 자신의 조각을 제출합니다.
procurement-opening-bid-box = 입찰함
procurement-bid-box-size = 입찰함의 입찰서 수
procurement-bid-box-root = 루트 해시(머클 트리)
procurement-bid-box-check-link = 입찰서가 입찰함에 있는지 확인
procurement-bid-box-not-closed = 입찰함이 아직 닫히지 않았습니다.
procurement-opening-opened = 개찰된 입찰서
procurement-opening-signed = 플랫폼 조달 키 { $key }로 서명했습니다.
procurement-opening-none = 개찰된 입찰서가 없습니다.
procurement-opening-bidder = 입찰자
procurement-opening-prices = 로트별 가격
procurement-opening-picks = 예정가격 추첨 번호
procurement-opening-bid-id = 입찰서 번호
procurement-opening-rejected = 무효 입찰서
procurement-opening-rejected-none = 무효 처리된 입찰서가 없습니다.
procurement-opening-draw = 예정가격 추첨
procurement-opening-reserve-price = 예정가격
procurement-opening-chosen = 추첨된 번호
procurement-opening-chosen-tag = 추첨됨
procurement-opening-seed = 시드(공개됨)
procurement-opening-number = 번호
procurement-opening-preliminary = 복수예비가격
procurement-opening-pick-count = 선택한 입찰자 수
procurement-opening-open-link = 개찰

procurement-rejection-altered_after_deadline = 마감 후 변경됨
procurement-rejection-not_in_bid_box = 입찰함에 없음
procurement-rejection-duplicate = 같은 입찰서가 두 번 있음
procurement-rejection-malformed_envelope = 봉투를 읽을 수 없음
procurement-rejection-wrong_tender = 다른 입찰 건으로 봉인됨
procurement-rejection-wrong_key = 다른 키로 봉인됨
procurement-rejection-decryption_failed = 복호화할 수 없음
procurement-rejection-malformed_payload = 입찰 내용을 읽을 수 없음
procurement-rejection-payload_mismatch = 입찰 내용이 봉투와 다름
procurement-rejection-missing = 입찰함에는 있으나 저장소에서 사라짐

procurement-bid-box-title = 입찰함: { $title }
procurement-bid-box-lead = 입찰 마감 시각이 지나면 플랫폼이 입찰함의 모든 입찰서를 기록하고 서명합니다. 접수증의 입찰서 번호로 내 입찰서가 포함되었는지 확인할 수 있습니다.
procurement-bid-box-signed-by = 서명 키
procurement-bid-box-signature = 서명
procurement-bid-box-not-closed-until = 입찰함은 입찰 마감 시각({ $deadline })에 닫히며, 그때 기록이 공개됩니다.
procurement-bid-box-counted = 포함됨: 이 입찰서는 서명된 입찰함에 있습니다.
procurement-bid-box-not-counted = 포함되지 않음: 이 입찰서는 서명된 입찰함에 없습니다.
procurement-bid-box-not-counted-help = 가장 최근 접수증의 번호와 비교하세요. 다시 제출하거나 철회한 입찰서는 입찰함에 없습니다. 그래도 맞지 않으면 접수증을 가지고 발주기관에 문의하세요.
procurement-bid-box-check = 내 입찰서 확인
procurement-bid-box-bid = 입찰서 번호
procurement-bid-box-bid-hint = 접수증에 적힌 64자의 입찰서 번호입니다.
procurement-bid-box-check-submit = 확인

procurement-supplier-change = 정보 변경
procurement-supplier-change-lead = 업종, 면허, 계좌와 연락 전자우편은 공급자가 직접 최신으로 유지합니다. 위의 등록부 정보는 바꿀 수 없습니다.
procurement-supplier-change-submit = 변경 내용 저장
procurement-supplier-updated = 공급자 정보를 저장했습니다.
procurement-supplier-removed = 입찰 권한을 회수했습니다.
procurement-supplier-remove-bidder = 권한 회수

procurement-error-day = 날짜를 연-월-일로 입력하세요.
procurement-error-supplier-number = 이 사업자등록번호로 등록된 공급자가 없습니다.
procurement-debar-find-link = 부정당업자 제재 또는 해제
procurement-debar-find-title = 부정당업자 제재
procurement-debar-find-lead = 사업자등록번호로 공급자를 찾으세요.
procurement-debar-find-hint = 10자리 숫자입니다. 예: 123-45-67890
procurement-debar-find-submit = 찾기
procurement-debar-title = 제재: { $name }
procurement-debar-done = 공급자를 제재했습니다. 제재 기간에는 입찰할 수 없습니다.
procurement-debar-lifted = 제재를 해제했습니다.
procurement-debar-heading = 이 공급자 제재
procurement-debar-lead = { $agency } 명의로 결정하며 감사 기록에 남습니다.
procurement-debar-reason = 사유
procurement-debar-reason-hint = 사실관계와 적용한 규정을 적으세요. 공급자에게 이 사유가 보입니다.
procurement-debar-from = 시작일(UTC)
procurement-debar-until = 종료일(선택, UTC)
procurement-debar-until-hint = 제재의 마지막 날입니다. 해제할 때까지 제재하려면 비워 두세요.
procurement-debar-submit = 공급자 제재
procurement-debar-lift-reason = 해제 사유
procurement-debar-lift-submit = 제재 해제

## 입찰 문서(첨부 파일)

procurement-error-document-empty = 파일이 비어 있습니다.
procurement-error-document-too-large = 입찰 문서는 20 MiB 이하여야 합니다.
procurement-error-document-type = PDF, ODF 또는 OOXML 문서(ODT, ODS, ODP, DOCX, XLSX, PPTX), ZIP 압축 파일, PNG·JPEG·TIFF 이미지를 첨부하십시오.
procurement-error-document-missing = 귀 기관이 올리지 않은 문서입니다. 먼저 파일을 올리십시오.
procurement-error-document-mismatch = 문서의 유형 또는 크기가 올린 파일과 다릅니다.
procurement-error-document-twice = 같은 문서가 두 번 나열되었습니다.
procurement-error-documents-too-many = 공고에는 문서를 최대 30개, 합계 200 MiB까지 나열할 수 있습니다.
