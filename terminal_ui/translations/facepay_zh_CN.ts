<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Vision</name>
    <message>
        <source>Look at the camera</source>
        <translation>请看摄像头</translation>
    </message>
    <message>
        <source>Move closer</source>
        <translation>请靠近一点</translation>
    </message>
    <message>
        <source>Please step back a little</source>
        <translation>请稍微后退一点</translation>
    </message>
    <message>
        <source>Face the camera</source>
        <translation>请正对摄像头</translation>
    </message>
    <message>
        <source>Hold still</source>
        <translation>请保持不动</translation>
    </message>
    <message>
        <source>Too dark: step into the light</source>
        <translation>太暗了：请站到亮处</translation>
    </message>
    <message>
        <source>Too bright: step out of the glare</source>
        <translation>太亮了：请避开强光</translation>
    </message>
    <message>
        <source>One person at a time, please</source>
        <translation>请一次一人</translation>
    </message>
    <message>
        <source>Turn your head left</source>
        <translation>请向左转头</translation>
    </message>
    <message>
        <source>Turn your head right</source>
        <translation>请向右转头</translation>
    </message>
    <message>
        <source>Hold on, checking…</source>
        <translation>请稍候，正在核验…</translation>
    </message>
    <message>
        <source>We can&apos;t confirm you with a mask on — enter your PIN</source>
        <translation>戴口罩时无法确认您的身份——请输入 PIN 码</translation>
    </message>
    <message>
        <source>We couldn&apos;t confirm it&apos;s you — enter your PIN</source>
        <translation>无法确认是您本人——请输入 PIN 码</translation>
    </message>
    <message>
        <source>We couldn&apos;t tell you apart from another shopper — enter your PIN</source>
        <translation>无法将您与另一位顾客区分开——请输入 PIN 码</translation>
    </message>
    <message>
        <source>We don&apos;t recognise this face — enter your customer number and PIN</source>
        <translation>无法识别此人脸——请输入客户号和 PIN 码</translation>
    </message>
    <message>
        <source>This doesn&apos;t look like a live face. Please ask the cashier</source>
        <translation>这看起来不像真人。请联系收银员</translation>
    </message>
    <message>
        <source>We couldn&apos;t verify the head movement. Please ask the cashier</source>
        <translation>无法验证转头动作。请联系收银员</translation>
    </message>
    <message>
        <source>A different face appeared. Please start again</source>
        <translation>出现了另一张人脸。请重新开始</translation>
    </message>
    <message>
        <source>Several faces are in view. One person at a time, please</source>
        <translation>画面中有多张人脸。请一次一人</translation>
    </message>
    <message>
        <source>No face seen. Please ask the cashier</source>
        <translation>未检测到人脸。请联系收银员</translation>
    </message>
    <message>
        <source>That took too long. Please try again</source>
        <translation>用时过长。请重试</translation>
    </message>
</context>
<context>
    <name>Wording</name>
    <message>
        <source>Payment status unknown</source>
        <translation>支付状态未知</translation>
    </message>
    <message>
        <source>We got no answer from the payment service. Please ask the cashier to check before paying again.</source>
        <translation>支付服务没有回应。再次付款前，请让收银员核实。</translation>
    </message>
    <message>
        <source>We didn&apos;t see a face for a while. Tap Pay to try again.</source>
        <translation>一段时间内未检测到人脸。请点击“刷脸支付”重试。</translation>
    </message>
    <message>
        <source>Payment not finished. Tap Pay to start again.</source>
        <translation>付款未完成。请点击“刷脸支付”重新开始。</translation>
    </message>
    <message>
        <source>The camera isn&apos;t available. Enter your customer number, then your PIN.</source>
        <translation>摄像头不可用。请输入您的客户号，然后输入 PIN 码。</translation>
    </message>
    <message>
        <source>Enter your customer number, then your PIN.</source>
        <translation>请输入您的客户号，然后输入 PIN 码。</translation>
    </message>
    <message>
        <source>This PIN fits more than one account. Enter your customer number, then your PIN.</source>
        <translation>此 PIN 码对应多个账户。请输入您的客户号，然后输入 PIN 码。</translation>
    </message>
    <message>
        <source>For this amount, please confirm with your PIN.</source>
        <translation>此金额需要您用 PIN 码确认。</translation>
    </message>
    <message>
        <source>Wrong PIN. Please try again.</source>
        <translation>PIN 码错误，请重试。</translation>
    </message>
    <message>
        <source>Enter your PIN</source>
        <translation>请输入 PIN 码</translation>
    </message>
    <message>
        <source>Not you? Use your customer number</source>
        <translation>不是您？请使用客户号</translation>
    </message>
    <message>
        <source>Payment not possible</source>
        <translation>无法付款</translation>
    </message>
    <message>
        <source>Payment declined</source>
        <translation>付款被拒绝</translation>
    </message>
    <message>
        <source>PIN locked</source>
        <translation>PIN 码已锁定</translation>
    </message>
    <message>
        <source>Payment not completed</source>
        <translation>付款未完成</translation>
    </message>
    <message>
        <source>Payment approved</source>
        <translation>付款成功</translation>
    </message>
    <message>
        <source>Thank you.</source>
        <translation>谢谢。</translation>
    </message>
    <message>
        <source>Thank you, {name}.</source>
        <translation>谢谢，{name}。</translation>
    </message>
    <message>
        <source>Sale cancelled.</source>
        <translation>交易已取消。</translation>
    </message>
    <message>
        <source>Face</source>
        <translation>刷脸</translation>
    </message>
    <message>
        <source>Face + PIN</source>
        <translation>刷脸 + PIN 码</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN 码</translation>
    </message>
    <message>
        <source>Not enough funds on your account. No money was taken.</source>
        <translation>账户余额不足。未扣款。</translation>
    </message>
    <message>
        <source>This payment is above your account&apos;s limit. No money was taken.</source>
        <translation>此笔付款超出您账户的限额。未扣款。</translation>
    </message>
    <message>
        <source>Your account is blocked. Please ask the cashier.</source>
        <translation>您的账户已被冻结。请联系收银员。</translation>
    </message>
    <message>
        <source>We don&apos;t know this customer number. No money was taken.</source>
        <translation>无此客户号。未扣款。</translation>
    </message>
    <message>
        <source>Too many wrong PINs: your PIN is locked. Please ask the cashier.</source>
        <translation>PIN 码错误次数过多，已被锁定。请联系收银员。</translation>
    </message>
    <message>
        <source>Wrong PIN. No money was taken.</source>
        <translation>PIN 码错误。未扣款。</translation>
    </message>
    <message>
        <source>The payment service can&apos;t be reached. Please try again or ask the cashier.</source>
        <translation>无法连接支付服务。请重试或联系收银员。</translation>
    </message>
    <message>
        <source>{message}. No money was taken.</source>
        <translation>{message}。未扣款。</translation>
    </message>
    <message>
        <source>Payment declined. No money was taken.</source>
        <translation>付款被拒绝。未扣款。</translation>
    </message>
    <message>
        <source>Please wait…</source>
        <translation>请稍候…</translation>
    </message>
    <message>
        <source>Processing payment</source>
        <translation>正在处理付款</translation>
    </message>
    <message>
        <source>Checking cashier PIN</source>
        <translation>正在验证收银员 PIN 码</translation>
    </message>
    <message>
        <source>Refunding</source>
        <translation>正在退款</translation>
    </message>
    <message>
        <source>Enrolling</source>
        <translation>正在注册</translation>
    </message>
    <message>
        <source>Checking the account and storing the face templates…</source>
        <translation>正在核对账户并保存人脸模板…</translation>
    </message>
    <message>
        <source>Erasing</source>
        <translation>正在删除</translation>
    </message>
    <message>
        <source>Removing face templates, consent and face link…</source>
        <translation>正在删除人脸模板、同意记录和人脸关联…</translation>
    </message>
    <message>
        <source>Pick your cashier id or type it; then your own PIN.</source>
        <translation>选择或输入您的收银员编号，然后输入您自己的 PIN 码。</translation>
    </message>
    <message>
        <source>Terminal locked. A cashier signs in to unlock it.</source>
        <translation>终端已锁定。需收银员登录解锁。</translation>
    </message>
    <message>
        <source>PIN of cashier {cashier}</source>
        <translation>收银员 {cashier} 的 PIN 码</translation>
    </message>
    <message>
        <source>Terminal locked. Cashier PIN to unlock.</source>
        <translation>终端已锁定。请输入收银员 PIN 码解锁。</translation>
    </message>
    <message>
        <source>Staff only.</source>
        <translation>仅限员工。</translation>
    </message>
    <message>
        <source>No answer from the payment service. Try again.</source>
        <translation>支付服务无回应。请重试。</translation>
    </message>
    <message>
        <source>The payment service can&apos;t be reached to check the PIN.</source>
        <translation>无法连接支付服务，不能验证 PIN 码。</translation>
    </message>
    <message>
        <source>Cashier {cashier} is locked. Another cashier can sign in.</source>
        <translation>收银员 {cashier} 已被锁定。可由其他收银员登录。</translation>
    </message>
    <message>
        <source>Cashier {cashier} is locked for {minutes} more {unit}. Another cashier can sign in.</source>
        <translation>收银员 {cashier} 还将被锁定 {minutes} {unit}。可由其他收银员登录。</translation>
    </message>
    <message>
        <source>minute</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>No cashier {cashier} at this shop. Check the id.</source>
        <translation>本店没有收银员 {cashier}。请核对编号。</translation>
    </message>
    <message>
        <source>Too many wrong PINs at this terminal: staff sign-in is paused{wait}.</source>
        <translation>本终端 PIN 码错误次数过多：员工登录已暂停{wait}。</translation>
    </message>
    <message>
        <source> for {minutes} min</source>
        <translation>，{minutes} 分钟</translation>
    </message>
    <message>
        <source>Wrong PIN for cashier {cashier}.</source>
        <translation>收银员 {cashier} 的 PIN 码错误。</translation>
    </message>
    <message>
        <source>The payment service can&apos;t be reached.</source>
        <translation>无法连接支付服务。</translation>
    </message>
    <message>
        <source>No answer to the refund. Check today&apos;s totals before trying again.</source>
        <translation>退款无回应。重试前请核对今日汇总。</translation>
    </message>
    <message>
        <source>Last payment outcome unknown: check it before a new attempt.</source>
        <translation>上一笔付款结果未知：请先核实再重新尝试。</translation>
    </message>
    <message>
        <source>Refunded {amount} (transaction {transfer}).</source>
        <translation>已退款 {amount}（交易 {transfer}）。</translation>
    </message>
    <message>
        <source>Refund refused: {message}</source>
        <translation>退款被拒绝：{message}</translation>
    </message>
    <message>
        <source>Payments: {count}, {amount}</source>
        <translation>付款：{count} 笔，{amount}</translation>
    </message>
    <message>
        <source>Refunds: {count}, {amount}</source>
        <translation>退款：{count} 笔，{amount}</translation>
    </message>
    <message>
        <source>Nothing was stored.</source>
        <translation>未保存任何数据。</translation>
    </message>
    <message>
        <source>Nothing was erased.</source>
        <translation>未删除任何数据。</translation>
    </message>
    <message>
        <source>Enrolment stopped: no customer number. Nothing was stored.</source>
        <translation>注册已停止：没有客户号。未保存任何数据。</translation>
    </message>
    <message>
        <source>Enrolment stopped: no PIN or enrolment code typed. Nothing was stored.</source>
        <translation>注册已停止：未输入 PIN 码或注册码。未保存任何数据。</translation>
    </message>
    <message>
        <source>Enrolment stopped: no enrolment code typed. Nothing was stored.</source>
        <translation>注册已停止：未输入注册码。未保存任何数据。</translation>
    </message>
    <message>
        <source>Enrolment stopped: consent not given in time. Nothing was stored.</source>
        <translation>注册已停止：未及时同意。未保存任何数据。</translation>
    </message>
    <message>
        <source>Enrolment stopped: not enough good pictures of the face in time. Nothing was stored.</source>
        <translation>注册已停止：未能及时拍到足够清晰的人脸照片。未保存任何数据。</translation>
    </message>
    <message>
        <source>Enrolment stopped: no PIN chosen. Nothing was stored.</source>
        <translation>注册已停止：未设置 PIN 码。未保存任何数据。</translation>
    </message>
    <message>
        <source>Enrolment stopped: PIN not repeated. Nothing was stored.</source>
        <translation>注册已停止：未再次输入 PIN 码。未保存任何数据。</translation>
    </message>
    <message>
        <source>No answer to the enrolment. Check with `facepay customer list` before enrolling again.</source>
        <translation>注册无回应。再次注册前请用 `facepay customer list` 核实。</translation>
    </message>
    <message>
        <source>Erasure stopped: no customer number. Nothing was erased.</source>
        <translation>删除已停止：没有客户号。未删除任何数据。</translation>
    </message>
    <message>
        <source>Erasure not confirmed. Nothing was erased.</source>
        <translation>删除未确认。未删除任何数据。</translation>
    </message>
    <message>
        <source>Erasure stopped: no PIN typed. Nothing was erased.</source>
        <translation>删除已停止：未输入 PIN 码。未删除任何数据。</translation>
    </message>
    <message>
        <source>No answer to the erasure. Run it again: erasing twice is harmless.</source>
        <translation>删除无回应。请再执行一次：重复删除不会造成问题。</translation>
    </message>
    <message>
        <source>Enrolment cancelled. Nothing was stored.</source>
        <translation>注册已取消。未保存任何数据。</translation>
    </message>
    <message>
        <source>The shopper declined: nothing was stored.</source>
        <translation>顾客已拒绝：未保存任何数据。</translation>
    </message>
    <message>
        <source>Erasure cancelled. Nothing was erased.</source>
        <translation>删除已取消。未删除任何数据。</translation>
    </message>
    <message>
        <source>The camera isn&apos;t available: enrolment stopped. Nothing was stored.</source>
        <translation>摄像头不可用：注册已停止。未保存任何数据。</translation>
    </message>
    <message>
        <source>Enrol a shopper: type their customer number.</source>
        <translation>注册顾客：请输入其客户号。</translation>
    </message>
    <message>
        <source>Erase a shopper&apos;s face data: type their customer number.</source>
        <translation>删除顾客的人脸数据：请输入其客户号。</translation>
    </message>
    <message>
        <source>Account {subject}</source>
        <translation>账户 {subject}</translation>
    </message>
    <message>
        <source>Type this account&apos;s PIN to show it is yours; it stays the same. New account or forgotten PIN: use the shop&apos;s enrolment code.</source>
        <translation>请输入此账户的 PIN 码以证明账户属于您；PIN 码保持不变。新账户或忘记 PIN 码：请使用本店提供的注册码。</translation>
    </message>
    <message>
        <source>No PIN? Enrolment code</source>
        <translation>没有 PIN 码？使用注册码</translation>
    </message>
    <message>
        <source>Enrolment code</source>
        <translation>注册码</translation>
    </message>
    <message>
        <source>Type the {digits}-digit code the shop gave you. Then you choose your PIN.</source>
        <translation>请输入本店给您的 {digits} 位注册码，然后设置您的 PIN 码。</translation>
    </message>
    <message>
        <source>An enrolment code has {digits} digits.</source>
        <translation>注册码为 {digits} 位数字。</translation>
    </message>
    <message>
        <source>Choose your PIN</source>
        <translation>设置您的 PIN 码</translation>
    </message>
    <message>
        <source>4 to 12 digits. You type it when your face alone can&apos;t confirm a payment.</source>
        <translation>4 到 12 位数字。仅凭人脸无法确认付款时需要输入。</translation>
    </message>
    <message>
        <source>Repeat your PIN</source>
        <translation>再次输入 PIN 码</translation>
    </message>
    <message>
        <source>Type the same PIN again.</source>
        <translation>请再输入一次相同的 PIN 码。</translation>
    </message>
    <message>
        <source>The two PINs were different. Choose a PIN again.</source>
        <translation>两次输入的 PIN 码不一致。请重新设置。</translation>
    </message>
    <message>
        <source>Type this account&apos;s PIN to erase your face data.</source>
        <translation>请输入此账户的 PIN 码以删除您的人脸数据。</translation>
    </message>
    <message>
        <source>Customer {customer} enrolled ({templates} templates, {pin}).</source>
        <translation>客户 {customer} 已注册（{templates} 个模板，{pin}）。</translation>
    </message>
    <message>
        <source>new PIN set</source>
        <translation>已设置新 PIN 码</translation>
    </message>
    <message>
        <source>the account&apos;s PIN stays</source>
        <translation>账户 PIN 码不变</translation>
    </message>
    <message>
        <source> for {minutes} more {unit}</source>
        <translation>，还需 {minutes} {unit}</translation>
    </message>
    <message>
        <source> ({left} tries left)</source>
        <translation>（还剩 {left} 次）</translation>
    </message>
    <message>
        <source>Enrolment refused: {reason}.</source>
        <translation>注册被拒绝：{reason}。</translation>
    </message>
    <message>
        <source>Enrolment refused: wrong PIN for account {subject}{left}.</source>
        <translation>注册被拒绝：账户 {subject} 的 PIN 码错误{left}。</translation>
    </message>
    <message>
        <source>Enrolment refused: the PIN of account {subject} is locked{wait}.</source>
        <translation>注册被拒绝：账户 {subject} 的 PIN 码已锁定{wait}。</translation>
    </message>
    <message>
        <source>Enrolment refused: the enrolment code is wrong, used or expired. Ask for a new code.</source>
        <translation>注册被拒绝：注册码错误、已使用或已过期。请索取新的注册码。</translation>
    </message>
    <message>
        <source>Enrolment refused: account {subject} has no PIN yet. The shopper needs an enrolment code from the shop.</source>
        <translation>注册被拒绝：账户 {subject} 尚未设置 PIN 码。顾客需要向本店索取注册码。</translation>
    </message>
    <message>
        <source>Enrolment refused: too many wrong PINs at this terminal, paused{wait}.</source>
        <translation>注册被拒绝：本终端 PIN 码错误次数过多，已暂停{wait}。</translation>
    </message>
    <message>
        <source>Enrolment refused: the cashier PIN was not accepted. Sign in again.</source>
        <translation>注册被拒绝：收银员 PIN 码未通过。请重新登录。</translation>
    </message>
    <message>
        <source>Erasure refused: {reason}.</source>
        <translation>删除被拒绝：{reason}。</translation>
    </message>
    <message>
        <source>Erasure refused: wrong PIN for account {subject}.</source>
        <translation>删除被拒绝：账户 {subject} 的 PIN 码错误。</translation>
    </message>
    <message>
        <source>Erasure refused: the PIN of account {subject} is locked.</source>
        <translation>删除被拒绝：账户 {subject} 的 PIN 码已锁定。</translation>
    </message>
    <message>
        <source>Erasure refused: only the shopper&apos;s PIN or a cashier of the shop where the face was enrolled can erase it.</source>
        <translation>删除被拒绝：只有顾客本人的 PIN 码或注册该人脸的门店收银员才能删除。</translation>
    </message>
    <message>
        <source>Face templates removed: {count}</source>
        <translation>已删除人脸模板：{count} 个</translation>
    </message>
    <message>
        <source>Consent record and face link removed.</source>
        <translation>同意记录和人脸关联已删除。</translation>
    </message>
    <message>
        <source>Terminal audit entry: {hash}…</source>
        <translation>终端审计记录：{hash}…</translation>
    </message>
    <message>
        <source>Ledger audit entry: {hash}…</source>
        <translation>账本审计记录：{hash}…</translation>
    </message>
    <message>
        <source>Ledger: not confirmed.</source>
        <translation>账本：未确认。</translation>
    </message>
    <message>
        <source>The account, its money and its PIN stay. Payment records are kept without face data.</source>
        <translation>账户、余额和 PIN 码保持不变。付款记录会保留，但不含人脸数据。</translation>
    </message>
    <message>
        <source>Please use another checkout. Staff can reopen this one.</source>
        <translation>请使用其他收银台。工作人员可以重新开启本机。</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Use PIN</source>
        <translation>使用 PIN 码</translation>
    </message>
    <message>
        <source>Staff (F2)</source>
        <translation>员工 (F2)</translation>
    </message>
    <message>
        <source>Erase</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Language: {language}</source>
        <translation>语言：{language}</translation>
    </message>
    <message>
        <source>Staff menu</source>
        <translation>员工菜单</translation>
    </message>
    <message>
        <source>More time</source>
        <translation>延长时间</translation>
    </message>
    <message>
        <source>{seconds} s left</source>
        <translation>剩余 {seconds} 秒</translation>
    </message>
    <message>
        <source>Sound guide: on</source>
        <translation>声音提示：开</translation>
    </message>
    <message>
        <source>Sound guide: off</source>
        <translation>声音提示：关</translation>
    </message>
    <message>
        <source>{count} digits typed</source>
        <translation>已输入 {count} 位</translation>
    </message>
    <message>
        <source>Large text (F3)</source>
        <translation>大字模式 (F3)</translation>
    </message>
    <message>
        <source>Payment result</source>
        <translation>付款结果</translation>
    </message>
    <message>
        <source>Camera picture</source>
        <translation>摄像头画面</translation>
    </message>
    <message>
        <source>Face payment sign</source>
        <translation>刷脸支付标志</translation>
    </message>
    <message>
        <source>Number pad</source>
        <translation>数字键盘</translation>
    </message>
    <message>
        <source>Typed entry</source>
        <translation>已输入内容</translation>
    </message>
    <message>
        <source>Receipt QR code</source>
        <translation>收据二维码</translation>
    </message>
    <message>
        <source>Customer {customer}</source>
        <translation>客户 {customer}</translation>
    </message>
    <message>
        <source>Paying {amount}</source>
        <translation>支付 {amount}</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>欢迎</translation>
    </message>
    <message>
        <source>Pay with your face, or with your customer number and PIN.
The cashier will start your payment.</source>
        <translation>刷脸支付，或使用客户号和 PIN 码支付。
收银员会为您发起付款。</translation>
    </message>
    <message>
        <source>Amount to pay</source>
        <translation>应付金额</translation>
    </message>
    <message>
        <source>Pay with face</source>
        <translation>刷脸支付</translation>
    </message>
    <message>
        <source>Paying</source>
        <translation>正在支付</translation>
    </message>
    <message>
        <source>Use PIN instead</source>
        <translation>改用 PIN 码</translation>
    </message>
    <message>
        <source>Mask on? That&apos;s fine: we may ask for your PIN</source>
        <translation>戴着口罩？没关系：我们可能会请您输入 PIN 码</translation>
    </message>
    <message>
        <source>One more check</source>
        <translation>再确认一下</translation>
    </message>
    <message>
        <source>Slowly, then look back at the camera</source>
        <translation>慢慢转，然后看回摄像头</translation>
    </message>
    <message>
        <source>Time is up</source>
        <translation>时间到</translation>
    </message>
    <message>
        <source>Not you? Tap Cancel.</source>
        <translation>不是您？请点击“取消”。</translation>
    </message>
    <message>
        <source>Pay</source>
        <translation>付款</translation>
    </message>
    <message>
        <source>Pay {amount}?</source>
        <translation>支付 {amount}？</translation>
    </message>
    <message>
        <source>Pay {amount} as {customer}?</source>
        <translation>以 {customer} 的身份支付 {amount}？</translation>
    </message>
    <message>
        <source>Amount: {amount}</source>
        <translation>金额：{amount}</translation>
    </message>
    <message>
        <source>Date: {when}</source>
        <translation>日期：{when}</translation>
    </message>
    <message>
        <source>Transaction: {transfer}</source>
        <translation>交易号：{transfer}</translation>
    </message>
    <message>
        <source>Customer: {customer}</source>
        <translation>客户：{customer}</translation>
    </message>
    <message>
        <source>Confirmed by: {method}</source>
        <translation>确认方式：{method}</translation>
    </message>
    <message>
        <source>Stored offline, sent when the network is back</source>
        <translation>已离线保存，网络恢复后发送</translation>
    </message>
    <message>
        <source>Paying at {merchant}</source>
        <translation>在 {merchant} 付款</translation>
    </message>
    <message>
        <source>Customer number</source>
        <translation>客户号</translation>
    </message>
    <message>
        <source>1 attempt left before the PIN is locked.</source>
        <translation>还剩 1 次机会，之后 PIN 码将被锁定。</translation>
    </message>
    <message>
        <source>{left} attempts left.</source>
        <translation>还剩 {left} 次机会。</translation>
    </message>
    <message>
        <source>Too many wrong PINs: wait {seconds} s before the next try.</source>
        <translation>PIN 码错误次数过多：请等待 {seconds} 秒后再试。</translation>
    </message>
    <message>
        <source>Call the cashier</source>
        <translation>呼叫收银员</translation>
    </message>
    <message>
        <source>Scan for your receipt</source>
        <translation>扫码获取收据</translation>
    </message>
    <message>
        <source>Receipt · {merchant}</source>
        <translation>收据 · {merchant}</translation>
    </message>
    <message>
        <source>New sale</source>
        <translation>新交易</translation>
    </message>
    <message>
        <source>Type the amount to pay</source>
        <translation>请输入应付金额</translation>
    </message>
    <message>
        <source>Staff sign-in</source>
        <translation>员工登录</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Exit (Esc)</source>
        <translation>退出 (Esc)</translation>
    </message>
    <message>
        <source>Open sale</source>
        <translation>发起交易</translation>
    </message>
    <message>
        <source>Cancel sale</source>
        <translation>取消交易</translation>
    </message>
    <message>
        <source>Journal and ledger agree.</source>
        <translation>终端流水与账本一致。</translation>
    </message>
    <message>
        <source>Journal and ledger do not agree: the merchant&apos;s report (facepay report) shows where.</source>
        <translation>终端流水与账本不一致：商户日报（facepay report）会显示差异所在。</translation>
    </message>
    <message>
        <source>Not settled yet: some payments are still open; the kiosk keeps trying.</source>
        <translation>尚未结清：部分付款仍未完成，终端会继续重试。</translation>
    </message>
    <message>
        <source>This amount can&apos;t be paid at this checkout. No money was taken.</source>
        <translation>此金额无法在本收银台支付。未扣款。</translation>
    </message>
    <message>
        <source>Voided {amount} (transaction {transfer}).</source>
        <translation>已撤销 {amount}（交易 {transfer}）。</translation>
    </message>
    <message>
        <source>Refund or void a payment</source>
        <translation>退款或撤销付款</translation>
    </message>
    <message>
        <source>Today&apos;s payments at this checkout, newest first. Pick one.</source>
        <translation>本收银台今日的付款，最新的在前。请选择一笔。</translation>
    </message>
    <message>
        <source>Loading today&apos;s payments…</source>
        <translation>正在加载今日付款…</translation>
    </message>
    <message>
        <source>No payments today at this checkout.</source>
        <translation>本收银台今日没有付款。</translation>
    </message>
    <message>
        <source>Today&apos;s payments could not be read.</source>
        <translation>无法读取今日付款。</translation>
    </message>
    <message>
        <source>Nothing left to refund on this payment: it was refunded or voided in full.</source>
        <translation>这笔付款已无可退金额：已全额退款或撤销。</translation>
    </message>
    <message>
        <source>{time}   {amount}   {shopper}</source>
        <translation>{time}   {amount}   {shopper}</translation>
    </message>
    <message>
        <source>   ({left} left)</source>
        <translation>   （剩余 {left}）</translation>
    </message>
    <message>
        <source>   (refunded)</source>
        <translation>   （已退款）</translation>
    </message>
    <message>
        <source>customer {customer}</source>
        <translation>顾客 {customer}</translation>
    </message>
    <message>
        <source>Refund to {shopper} ({time})</source>
        <translation>退款给 {shopper}（{time}）</translation>
    </message>
    <message>
        <source>Type the amount to give back, up to {left}</source>
        <translation>请输入退款金额，最多 {left}</translation>
    </message>
    <message>
        <source>Only {left} is left to refund on this payment.</source>
        <translation>这笔付款只剩 {left} 可退。</translation>
    </message>
    <message>
        <source>Refund {amount} to {shopper}?</source>
        <translation>退款 {amount} 给 {shopper}？</translation>
    </message>
    <message>
        <source>Payment of {time}, {amount}, transaction {transfer}. Nothing is sent before you confirm.</source>
        <translation>{time} 的付款，{amount}，交易 {transfer}。确认之前不会发送任何内容。</translation>
    </message>
    <message>
        <source>Refund</source>
        <translation>退款</translation>
    </message>
    <message>
        <source>Void all {amount}</source>
        <translation>全部撤销 {amount}</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Scan receipt</source>
        <translation>扫描收据</translation>
    </message>
    <message>
        <source>Scan the shopper&apos;s receipt</source>
        <translation>扫描顾客的收据</translation>
    </message>
    <message>
        <source>Hold the QR code of the receipt (paper or phone) up to the camera.</source>
        <translation>请将收据（纸质或手机）上的二维码对准摄像头。</translation>
    </message>
    <message>
        <source>That QR code is not a payment receipt.</source>
        <translation>该二维码不是付款收据。</translation>
    </message>
    <message>
        <source>That receipt was not issued by this checkout. Refund it where it was paid.</source>
        <translation>该收据不是本收银台开具的。请在付款的收银台退款。</translation>
    </message>
    <message>
        <source>That receipt is not one of today&apos;s payments at this checkout.</source>
        <translation>该收据不属于本收银台今日的付款。</translation>
    </message>
    <message>
        <source>No receipt QR code was seen. Try again, or pick the payment from the list.</source>
        <translation>未识别到收据二维码。请重试，或从列表中选择付款。</translation>
    </message>
    <message>
        <source>The camera is not available. Pick the payment from the list.</source>
        <translation>摄像头不可用。请从列表中选择付款。</translation>
    </message>
    <message>
        <source>Enrolment stopped: no name typed. Nothing was stored.</source>
        <translation>注册已停止：未输入姓名。未保存任何信息。</translation>
    </message>
    <message>
        <source>Your name at the checkout</source>
        <translation>您在收银台显示的名字</translation>
    </message>
    <message>
        <source>Type your first name and the first letter of your last name, e.g. Anna K. The checkout asks &quot;Pay … as Anna K.?&quot; so you can tell it is you.</source>
        <translation>请输入您的名字和姓氏的首字母，例如 Anna K.。收银台会问“以 Anna K. 的身份支付 …？”，让您确认是本人。</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>空格</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Face payment out of order</source>
        <translation>刷脸支付暂停服务</translation>
    </message>
    <message>
        <source>You can still pay with your customer number and PIN. The cashier starts your payment.</source>
        <translation>您仍可用顾客编号和 PIN 支付。收银员会为您开始付款。</translation>
    </message>
    <message>
        <source>Checkout out of service</source>
        <translation>本收银台暂停服务</translation>
    </message>
    <message>
        <source>Payments can&apos;t be made here right now. Please use another checkout.</source>
        <translation>此处暂时无法付款。请使用其他收银台。</translation>
    </message>
    <message>
        <source>The camera isn&apos;t working: check its cable, then restart the kiosk.</source>
        <translation>摄像头无法工作：请检查连接线，然后重启终端。</translation>
    </message>
    <message>
        <source>The payment service can&apos;t be reached: check the network.</source>
        <translation>无法连接支付服务：请检查网络。</translation>
    </message>
    <message>
        <source>For staff</source>
        <translation>员工专用</translation>
    </message>
    <message>
        <source>No camera: face payment is off. Shoppers pay with customer number and PIN.</source>
        <translation>没有摄像头：刷脸支付已关闭。顾客请用顾客编号和 PIN 支付。</translation>
    </message>
    <message>
        <source>The payment service can&apos;t be reached: no payment can be made here.</source>
        <translation>无法连接支付服务：此处无法付款。</translation>
    </message>
    <message>
        <source>Your PIN could not be checked: the payment service can&apos;t be reached. Only Lock works until it is back.</source>
        <translation>无法验证您的 PIN：无法连接支付服务。恢复之前只能锁定。</translation>
    </message>
    <message>
        <source>That is more than this shop&apos;s maximum sale of {limit}. Check the amount and type it again.</source>
        <translation>超过本店单笔最高金额 {limit}。请核对金额后重新输入。</translation>
    </message>
    <message>
        <source>The sale was cancelled at the till.</source>
        <translation>该笔销售已在收银机上取消。</translation>
    </message>
    <message>
        <source>Sale {reference}</source>
        <translation>销售单 {reference}</translation>
    </message>
    <message>
        <source>Lock terminal</source>
        <translation>锁定终端</translation>
    </message>
    <message>
        <source>Enrol shopper</source>
        <translation>注册顾客</translation>
    </message>
    <message>
        <source>Erase shopper</source>
        <translation>删除顾客</translation>
    </message>
    <message>
        <source>Open sale: {amount}</source>
        <translation>进行中的交易：{amount}</translation>
    </message>
    <message>
        <source>No open sale</source>
        <translation>没有进行中的交易</translation>
    </message>
    <message>
        <source>Loading today&apos;s totals…</source>
        <translation>正在加载今日汇总…</translation>
    </message>
    <message>
        <source>Reconciliation: {verdict}</source>
        <translation>对账：{verdict}</translation>
    </message>
    <message>
        <source>Checkout closed</source>
        <translation>收银台已关闭</translation>
    </message>
    <message>
        <source>Your consent</source>
        <translation>您的同意</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Agree</source>
        <translation>同意</translation>
    </message>
    <message>
        <source>Enrolling customer {customer}. Please read, then choose.</source>
        <translation>正在注册客户 {customer}。请阅读后选择。</translation>
    </message>
    <message>
        <source>Consent text version {version}</source>
        <translation>同意书版本 {version}</translation>
    </message>
    <message>
        <source>Enrolment</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>Look at the camera and hold still</source>
        <translation>请看摄像头，保持不动</translation>
    </message>
    <message>
        <source>Pictures kept: {accepted} of {needed}</source>
        <translation>已采集照片：{accepted} / {needed}</translation>
    </message>
    <message>
        <source>Starting the camera…</source>
        <translation>正在启动摄像头…</translation>
    </message>
    <message>
        <source>Erase shopper?</source>
        <translation>删除顾客？</translation>
    </message>
    <message>
        <source>Shopper&apos;s PIN</source>
        <translation>顾客 PIN 码</translation>
    </message>
    <message>
        <source> ({name})</source>
        <translation>（{name}）</translation>
    </message>
    <message>
        <source> (not enrolled at this terminal)</source>
        <translation>（未在本终端注册）</translation>
    </message>
    <message>
        <source>This removes the shopper&apos;s face templates, their consent record and the link between their face and their account, here and at the payment service. The account, its money and its PIN stay. It cannot be undone.</source>
        <translation>这将在本机和支付服务中删除顾客的人脸模板、同意记录以及人脸与账户的关联。账户、余额和 PIN 码保持不变。此操作无法撤销。</translation>
    </message>
    <message>
        <source>Erase on your authority as the signed-in cashier of this shop, or let the shopper type their own PIN.</source>
        <translation>以本店已登录收银员的权限删除，或让顾客输入自己的 PIN 码。</translation>
    </message>
    <message>
        <source>Shopper erased</source>
        <translation>顾客已删除</translation>
    </message>
</context>
</TS>
