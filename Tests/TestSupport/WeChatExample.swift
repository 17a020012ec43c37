/// WeChat's own documented example of a `/shop/coupon/add` body, which the API must accept as it is.
public enum WeChatExample {
    public static let addBody = #"{"coupon":{"out_coupon_id":"coupon_id_1","type":101,"promote_type":4,"coupon_info":{"name":"示例优惠券","promote_info":{"promote_type":4,"finder":{"nickname":"视频号昵称"}},"discount_info":{"discount_condition":{"product_cnt":2,"product_price":5000,"out_product_ids":["product_id_3","product_id_4"],"tradein_info":{"out_product_id":"product_id_5","price":10000},"buyget_info":{"buy_out_product_id":"product_id_1","buy_product_cnt":3,"get_out_product_id":"product_id_2","get_product_cnt":2131241242}},"discount_num":9800,"discount_fee":6400},"receive_info":{"start_time":1625451250,"end_time":1625454250,"limit_num_one_person":10,"total_num":100},"valid_info":{"valid_type":1,"valid_day_num":10,"valid_second":3600,"start_time":1625451250,"end_time":1625464250}}}}"#
}

extension WeChatExample {
    /// A small valid create body: a shop direct-reduction coupon (type 104), 7 days valid after claiming.
    public static func directReduction(id: String, name: String = "立减", fee: Int = 500) -> String {
        #"{"coupon":{"out_coupon_id":"\#(id)","type":104,"promote_type":4,"coupon_info":{"name":"\#(name)","promote_info":{"promote_type":4,"finder":{"nickname":"live"}},"discount_info":{"discount_fee":\#(fee)},"receive_info":{"start_time":1800000000,"end_time":1800086400,"limit_num_one_person":1,"total_num":100},"valid_info":{"valid_type":2,"valid_day_num":7}}}}"#
    }
}
