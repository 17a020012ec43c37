// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "CouponAdmin",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "coupon-admin", targets: ["coupon-admin"]),
        .executable(name: "wechat-sandbox", targets: ["wechat-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CFastCGI",
            providers: [.apt(["libfcgi-dev"])]
        ),
        .target(
            name: "FastCGI",
            dependencies: [
                "CFastCGI",
                "StrictJSON",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "StrictJSON"),
        .target(name: "Coupons", dependencies: ["StrictJSON"]),
        .target(
            name: "Accounts",
            dependencies: [.product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto")]
        ),
        .target(
            name: "Storage",
            dependencies: [
                "Accounts", "Coupons", "StrictJSON", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "WeChat",
            dependencies: [
                "Coupons", "StrictJSON",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(name: "Sync", dependencies: ["Coupons", "Storage", "WeChat", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics")]),
        .target(
            name: "WeChatSandbox",
            dependencies: ["Coupons", "StrictJSON", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .executableTarget(
            name: "wechat-sandbox",
            dependencies: [
                "WeChatSandbox", .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .target(
            name: "Web",
            dependencies: [
                "Accounts",
                "FastCGI",
                "Coupons",
                "Storage",
                "StrictJSON",
                "Sync",
                "WeChat",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            resources: [
                .embedInCode("Resources/openapi.json"),
                .embedInCode("Resources/messages.en.json"),
                .embedInCode("Resources/messages.zh-CN.json"),
                .embedInCode("Templates/layout.mustache"),
                .embedInCode("Templates/login.mustache"),
                .embedInCode("Templates/coupons.mustache"),
                .embedInCode("Templates/new-coupon.mustache"),
                .embedInCode("Templates/coupon.mustache"),
                .embedInCode("Templates/error.mustache"),
                .embedInCode("Templates/field.mustache"),
                .embedInCode("Templates/import.mustache"),
                .embedInCode("Templates/user-coupons.mustache"),
                .embedInCode("Templates/account.mustache"),
                .embedInCode("Templates/keys.mustache"),
                .embedInCode("Templates/audit.mustache"),
                .embedInCode("Templates/people.mustache"),
                .embedInCode("Templates/upload.mustache"),
                .embedInCode("Templates/upload-progress.mustache"),
                .embedInCode("Templates/bulk.mustache"),
                .embedInCode("Templates/failures.mustache"),
            ]
        ),
        .target(
            name: "App",
            dependencies: [
                "Accounts",
                "Coupons",
                "FastCGI",
                "Storage",
                "Sync",
                "WeChat",
                "Web",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "coupon-admin",
            dependencies: [
                "Accounts",
                "App",
                "FastCGI",
                "Storage",
                "StrictJSON",
                "Sync",
                "WeChat",
                "Web",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "PostgresStorage",
            dependencies: [
                "Storage", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "FastCGITests",
            dependencies: ["FastCGI", "TestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "StrictJSONTests", dependencies: ["StrictJSON"]),
        .testTarget(name: "AccountsTests", dependencies: ["Accounts"]),
        .testTarget(name: "CouponsTests", dependencies: ["Coupons", "StrictJSON", "TestSupport"]),
        .testTarget(
            name: "StorageTests", dependencies: ["Storage", "Accounts", "Coupons", "StrictJSON", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "WeChatTests", dependencies: ["WeChat"]),
        .testTarget(
            name: "PostgresStorageTests",
            dependencies: ["PostgresStorage", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(name: "SyncTests", dependencies: ["Sync", "Storage", "Coupons", "WeChat", "StrictJSON", "TestSupport"]),
        .testTarget(name: "WeChatSandboxTests", dependencies: ["WeChatSandbox"]),
        .testTarget(name: "WebTests", dependencies: ["Web", "Accounts", "FastCGI", "Storage", "TestSupport", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "AppTests", dependencies: ["App", "Accounts", "Coupons", "FastCGI", "Storage", "StrictJSON", "WeChat", "Web", "TestSupport"]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "App", "WeChat", "Coupons", "StrictJSON", "Storage", "Sync", "Web", .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v6]
)
