// Check-in page: ask the browser for the position once (no tracking) and post it.
(function () {
  var button = document.getElementById("locate");
  if (!button) return;
  var status = document.getElementById("locate-status");
  button.addEventListener("click", function () {
    if (!navigator.geolocation) {
      status.textContent = "当前浏览器不支持定位，请在企业微信或钉钉中发送位置签到。";
      return;
    }
    button.disabled = true;
    status.textContent = "正在获取位置…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("lat").value = pos.coords.latitude;
      document.getElementById("lng").value = pos.coords.longitude;
      document.getElementById("checkin-form").submit();
    }, function () {
      button.disabled = false;
      status.textContent = "没有获取到位置，请允许使用位置后重试。";
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
  });
})();
